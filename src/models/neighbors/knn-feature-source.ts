/**
 * Item-kNN as a collaborative feature source for the feature pipeline (features'
 * PairFeatureSource): "knn_score" = similarity-weighted mean of the user's mean-centred ratings
 * of the movie's neighbours, "knn_count" = how many of the neighbours the user rated. Fitted per
 * fold by the pipeline, so a training row's own rating never reaches its features. Unknown
 * users/movies and users who rated no neighbour get 0 and 0; a live profile is scored from its
 * own ratings.
 */
import type {
  PairFeatureSource,
  PairFitContext,
  PairScorer,
  PairUser,
  TrainRatings,
} from "../../features/index.js";
import { fitItemKnn, type ItemKnnConfig, ItemKnnModel, itemKnnConfig } from "./item-knn.js";

export const KNN_FEATURE_NAMES = ["knn_score", "knn_count"] as const;

class KnnScorer implements PairScorer {
  readonly names = KNN_FEATURE_NAMES;
  constructor(readonly model: ItemKnnModel) {}

  scoreRows(
    users: Int32Array,
    movies: Int32Array,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void {
    this.model.scorePairs(users, movies, out, stride, offset);
  }

  scoreUser(
    user: PairUser,
    movies: Int32Array,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void {
    if (user.ratings) this.model.scoreProfile(user.ratings, movies, out, stride, offset);
    else this.model.scoreUser(user.index, movies, out, stride, offset);
  }

  serialize(): Uint8Array {
    return this.model.serialize();
  }
}

/** The "knn" feature source. `threads` = worker threads per fit (default: available cores). */
export function knnFeatureSource(
  config: Partial<ItemKnnConfig> = {},
  opts: { threads?: number } = {},
): PairFeatureSource {
  const cfg = itemKnnConfig(config);
  return {
    name: "knn",
    names: KNN_FEATURE_NAMES,
    async fit(train: TrainRatings, ctx: PairFitContext): Promise<PairScorer> {
      return new KnnScorer(
        await fitItemKnn(train, cfg, { threads: opts.threads, onProgress: ctx.onProgress }),
      );
    },
    load: (bytes) => new KnnScorer(ItemKnnModel.load(bytes)),
  };
}
