/**
 * Reference baselines every model must beat on validation ROC AUC: the global like rate (a
 * constant, AUC 0.5 by construction), the movie like rate and the user like rate. Rates come
 * from the training rows only and are shrunk toward the global rate with `prior` pseudo-rows,
 * so a movie seen once does not score 0 or 1 and an unseen user or movie scores the global rate.
 * They read the (user, movie) ids of a FeatureMatrix, not its feature columns.
 */
import type { FeatureMatrix } from "../../features/index.js";

export type LikeRateKind = "global" | "movie" | "user";

export interface LikeRateBaseline {
  readonly name: string;
  readonly kind: LikeRateKind;
  readonly globalRate: number;
  /** P(like) for every row of `m`, from its user/movie ids. */
  predict(m: Pick<FeatureMatrix, "rows" | "user" | "movie">): Float32Array;
}

export const LIKE_RATE_BASELINES: readonly LikeRateKind[] = ["global", "movie", "user"];

export function fitLikeRateBaseline(
  train: Pick<FeatureMatrix, "rows" | "user" | "movie" | "labels">,
  kind: LikeRateKind,
  prior = 5,
): LikeRateBaseline {
  let likes = 0;
  for (let i = 0; i < train.rows; i++) likes += train.labels[i];
  const globalRate = train.rows > 0 ? likes / train.rows : 0.5;
  const key = kind === "movie" ? train.movie : train.user;
  const sums = new Map<number, [number, number]>();
  if (kind !== "global") {
    for (let i = 0; i < train.rows; i++) {
      const s = sums.get(key[i]);
      if (s) {
        s[0] += train.labels[i];
        s[1]++;
      } else sums.set(key[i], [train.labels[i], 1]);
    }
  }
  const rate = new Map<number, number>();
  for (const [k, [l, n]] of sums) rate.set(k, (l + prior * globalRate) / (n + prior));
  return {
    name: `${kind}-like-rate`,
    kind,
    globalRate,
    predict(m) {
      const out = new Float32Array(m.rows);
      if (kind === "global") return out.fill(globalRate);
      const ids = kind === "movie" ? m.movie : m.user;
      for (let i = 0; i < m.rows; i++) out[i] = rate.get(ids[i]) ?? globalRate;
      return out;
    },
  };
}
