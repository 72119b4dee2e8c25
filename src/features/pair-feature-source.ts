/**
 * PairFeatureSource: the injection point for (user, movie) features that a model fitted on
 * ratings computes — MF predicted rating, embedding dot product, item-kNN score and neighbour
 * count. Features must not import models (imports point down the flow), so the models layer
 * implements this interface and the caller hands sources to buildFeatures.
 *
 * Out-of-fold contract: buildFeatures calls `fit` once per fold k on the training ratings of
 * the OTHER folds (ctx.fold = k) and scores that fold's training rows with the result; it calls
 * `fit` once more on the whole training part (ctx.fold = -1) for validation, test and serving.
 * So a training row's own rating never reaches its own CF features.
 *
 *   out[i * stride + offset + c] = feature names[c] of pair i     (c < names.length)
 */
import type { ProgressReporter } from "../core/index.js";

/** Ratings a source fits on: a subset of the training part, as parallel typed arrays. */
export interface TrainRatings {
  user: Int32Array;
  movie: Int32Array;
  rating: Float32Array;
  timestamp: Float64Array;
  /** Size of the dataset's dense user index space (users absent from this subset are unseen). */
  nUsers: number;
  /** Size of the dataset's dense movie index space. */
  nMovies: number;
}

export interface PairFitContext {
  seed: number;
  /** like = rating >= threshold (for sources that fit on the label). */
  threshold: number;
  /** Fold left out (0..k-1), or -1 when fitting on the whole training part. */
  fold: number;
  onProgress?: ProgressReporter;
}

/** A user at scoring time. */
export interface PairUser {
  /** Dense user index; -1 for a user the fitted scorer has never seen. */
  index: number;
  /**
   * The user's current ratings, set only when they differ from what the scorer was fitted on
   * (a live-updated or new profile): scorers that can fold a user in from ratings (MF, kNN)
   * should use them; otherwise they score with the fitted state for `index`.
   */
  ratings?: { movie: Int32Array; rating: Float32Array };
}

export interface PairScorer {
  /** Column names, the same as the source's. */
  readonly names: readonly string[];
  /**
   * Score pairs (users[i], movies[i]). Must write finite numbers: documented defaults (e.g. the
   * global mean rating, count 0) for unknown users or movies, never NaN.
   */
  scoreRows(
    users: Int32Array,
    movies: Int32Array,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void;
  /** Score one user against many movies; for a user with index >= 0 and no `ratings` this
   * must equal scoreRows for the same pairs (serving == training). */
  scoreUser(
    user: PairUser,
    movies: Int32Array,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void;
  /** Bytes that `source.load` turns back into a scorer giving identical scores. */
  serialize(): Uint8Array;
}

export interface PairFeatureSource {
  /** Unique short id, used as the key of the serialised scorer ("mf", "knn"). */
  readonly name: string;
  /** Feature column names this source adds (prefix them, e.g. "mf_pred"). */
  readonly names: readonly string[];
  fit(train: TrainRatings, ctx: PairFitContext): PairScorer | Promise<PairScorer>;
  load(bytes: Uint8Array): PairScorer;
}
