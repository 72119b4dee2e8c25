/**
 * The original study's "SVD" collaborative filter, kept for comparison with biased MF: subtract
 * each user's mean rating, treat unrated cells as 0 (the user's mean), take the top-k truncated
 * SVD of that sparse user x movie matrix with the randomized SVD the text features use
 * (features/text/randomized-svd.ts), and predict
 *
 *   rating(u, i) = mean_u + sum_c U[u,c] s[c] V[i,c]
 *
 * It reads missing ratings as "average", which is why biased MF (fitted on observed ratings
 * only) beats it on RMSE.
 */
import { CinerankError } from "../../core/index.js";
import { csrFromTriplets, randomizedSvd } from "../../features/index.js";
import { type ConfigRule, validateConfig } from "../linear/validate-config.js";
import type { MfFitContext } from "./biased-mf.js";
import { packModel, unpackModel } from "./pack.js";
import type { RatingTriples } from "./rating-triples.js";

export interface TruncatedSvdMfConfig {
  /** Singular triplets kept. */
  factors: number;
  /** Randomized-SVD power iterations (accuracy when singular values decay slowly). */
  powerIterations: number;
  oversample: number;
  clip: boolean;
}

export const truncatedSvdMfDefaults: TruncatedSvdMfConfig = {
  factors: 20,
  powerIterations: 4,
  oversample: 10,
  clip: true,
};

const rules: { [K in keyof TruncatedSvdMfConfig]: ConfigRule } = {
  factors: { type: "int", min: 1, max: 1024 },
  powerIterations: { type: "int", min: 0, max: 50 },
  oversample: { type: "int", min: 0, max: 500 },
  clip: { type: "choice", values: [true, false] },
};

export function truncatedSvdMfConfig(
  partial?: Partial<TruncatedSvdMfConfig>,
): TruncatedSvdMfConfig {
  return validateConfig("svd-mf", truncatedSvdMfDefaults, rules, partial);
}

const FORMAT = "cinerank-svd-mf";
const VERSION = 1;

export class TruncatedSvdMfModel {
  constructor(
    readonly config: TruncatedSvdMfConfig,
    readonly k: number,
    readonly nUsers: number,
    readonly nMovies: number,
    readonly globalMean: number,
    readonly minRating: number,
    readonly maxRating: number,
    readonly userMean: Float32Array,
    readonly userCount: Int32Array,
    readonly movieCount: Int32Array,
    /** U diag(s), nUsers x k. */
    readonly userFactors: Float64Array,
    /** V, nMovies x k. */
    readonly movieFactors: Float64Array,
    readonly singularValues: Float64Array,
  ) {}

  knowsUser(u: number): boolean {
    return u >= 0 && u < this.nUsers && this.userCount[u] > 0;
  }

  knowsMovie(m: number): boolean {
    return m >= 0 && m < this.nMovies && this.movieCount[m] > 0;
  }

  /** Predicted rating; an unknown user gets the global mean, an unknown movie the user's mean. */
  predict(u: number, m: number): number {
    if (!this.knowsUser(u)) return this.globalMean;
    let p = this.userMean[u];
    if (this.knowsMovie(m)) {
      const k = this.k;
      for (let c = 0; c < k; c++) p += this.userFactors[u * k + c] * this.movieFactors[m * k + c];
    }
    return this.config.clip ? Math.min(this.maxRating, Math.max(this.minRating, p)) : p;
  }

  serialize(): Uint8Array {
    return packModel(
      {
        format: FORMAT,
        version: VERSION,
        config: this.config,
        k: this.k,
        nUsers: this.nUsers,
        nMovies: this.nMovies,
        globalMean: this.globalMean,
        minRating: this.minRating,
        maxRating: this.maxRating,
      },
      {
        userMean: this.userMean,
        userCount: this.userCount,
        movieCount: this.movieCount,
        userFactors: this.userFactors,
        movieFactors: this.movieFactors,
        singularValues: this.singularValues,
      },
    );
  }

  static load(bytes: Uint8Array): TruncatedSvdMfModel {
    const { header: h, arrays: a } = unpackModel(bytes, FORMAT, VERSION);
    const k = h.k as number;
    const nU = h.nUsers as number;
    const nM = h.nMovies as number;
    if (a.userFactors?.length !== nU * k || a.movieFactors?.length !== nM * k) {
      throw new CinerankError("ERR_MODEL_FORMAT", `${FORMAT}: array sizes do not match the header`);
    }
    return new TruncatedSvdMfModel(
      truncatedSvdMfConfig(h.config as TruncatedSvdMfConfig),
      k,
      nU,
      nM,
      h.globalMean as number,
      h.minRating as number,
      h.maxRating as number,
      a.userMean as Float32Array,
      a.userCount as Int32Array,
      a.movieCount as Int32Array,
      a.userFactors as Float64Array,
      a.movieFactors as Float64Array,
      a.singularValues as Float64Array,
    );
  }
}

/** Fit the truncated-SVD variant on `train` (seeded from ctx.rng). */
export async function fitTruncatedSvdMf(
  train: RatingTriples,
  config: Partial<TruncatedSvdMfConfig>,
  ctx: MfFitContext,
): Promise<TruncatedSvdMfModel> {
  const cfg = truncatedSvdMfConfig(config);
  const n = train.rating.length;
  if (n === 0) throw new CinerankError("ERR_DATA_EMPTY", "svd-mf: no training ratings");
  const { nUsers, nMovies } = train;
  const sum = new Float64Array(nUsers);
  const userCount = new Int32Array(nUsers);
  const movieCount = new Int32Array(nMovies);
  let total = 0;
  let minRating = Number.POSITIVE_INFINITY;
  let maxRating = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const r = train.rating[i];
    sum[train.user[i]] += r;
    userCount[train.user[i]]++;
    movieCount[train.movie[i]]++;
    total += r;
    if (r < minRating) minRating = r;
    if (r > maxRating) maxRating = r;
  }
  const userMean = Float32Array.from(sum, (s, u) => (userCount[u] ? s / userCount[u] : 0));
  const centred = Float64Array.from(train.rating, (r, i) => r - userMean[train.user[i]]);
  const a = csrFromTriplets(nUsers, nMovies, train.user, train.movie, centred);
  ctx.onProgress?.({ stage: "svd-mf", done: 0, total: 1, unit: "fits" });
  const svd = randomizedSvd(a, cfg.factors, {
    seed: ctx.rng.nextUint32(),
    powerIterations: cfg.powerIterations,
    oversample: cfg.oversample,
  });
  ctx.onProgress?.({ stage: "svd-mf", done: 1, total: 1, unit: "fits" });
  const k = svd.k;
  const userFactors = new Float64Array(nUsers * k);
  for (let u = 0; u < nUsers; u++) {
    for (let c = 0; c < k; c++) userFactors[u * k + c] = svd.u[u * k + c] * svd.s[c];
  }
  return new TruncatedSvdMfModel(
    cfg,
    k,
    nUsers,
    nMovies,
    total / n,
    minRating,
    maxRating,
    userMean,
    userCount,
    movieCount,
    userFactors,
    svd.v,
    svd.s,
  );
}
