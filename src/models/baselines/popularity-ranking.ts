/**
 * The popularity ranking: the reference for ranking metrics. A movie's score is the number of
 * training rows that liked it (ties broken by rating count), the same list for every user
 * minus what they already rated. Unrated-in-train movies score 0.
 */
import type { FeatureMatrix } from "../../features/index.js";

export interface PopularityRanking {
  /** Score per dense movie index (length nMovies). */
  readonly scores: Float64Array;
  /** Scores of `movies` (dense indices) for any user. */
  score(movies: ArrayLike<number>): Float32Array;
}

export function fitPopularityRanking(
  train: Pick<FeatureMatrix, "rows" | "movie" | "labels">,
  nMovies: number,
): PopularityRanking {
  const scores = new Float64Array(nMovies);
  for (let i = 0; i < train.rows; i++) {
    // likes dominate; the rating count (scaled below one like) breaks ties
    scores[train.movie[i]] += train.labels[i] + 1e-6;
  }
  return {
    scores,
    score(movies) {
      const out = new Float32Array(movies.length);
      for (let i = 0; i < movies.length; i++) out[i] = scores[movies[i]];
      return out;
    },
  };
}
