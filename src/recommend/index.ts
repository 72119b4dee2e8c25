export * from "./cold-start-ranking.js";
export * from "./dataset-stats.js";
export * from "./movie-catalog.js";
export * from "./rating-book.js";
export * from "./rating-log.js";
export * from "./reasons.js";
export * from "./recommender.js";
export * from "./row-contributions.js";
export * from "./score-candidates.js";
export * from "./scoring-pool.js";
export * from "./similar-movies.js";
export * from "./similarity-index.js";
export * from "./store-rating-log.js";
export * from "./title-search.js";
export type {
  CollaborativeModel,
  Contributions,
  ItemNeighbours,
  ItemVectors,
  PairFeaturizer,
  ReasonDetail,
  RecommendationItem as RecommendedMovie,
  Recommendations,
  RecommendOptions,
  ServingUser,
  SimilarItem,
  SimilarMethod as SimilarityMethod,
  SimilarOptions,
  SimilarResult,
  Strategy,
} from "./types.js";
export * from "./fit-serving-cf.js";
export * from "./open-recommender.js";
