/**
 * The recommender's inputs and outputs. Inputs are small interfaces over what a trained run
 * provides — the like-model, the feature pipeline's serving path, the implicit-feedback
 * factorisation, item-kNN neighbour lists and content embeddings — so the recommender stays
 * pure and testable; `load-recommender.ts` fills them from a run folder. Outputs use MovieLens
 * ids (never dense indices) and match serve/api-types.ts field for field.
 */
import type { UserRatings } from "./rating-book.js";

/** A user at scoring time (same meaning as features' PairUser). */
export interface ServingUser {
  /** MovieLens userId. */
  id: number;
  /** The user's index in the fitted like-model's features; -1 when it never saw the user. */
  index: number;
  /** Current ratings, set when they differ from what the models were fitted on. */
  ratings?: UserRatings;
}

/** The feature pipeline's serving path: the like-model's input rows for one user. */
export interface PairFeaturizer {
  readonly names: readonly string[];
  /** Row-major rows (movies.length x names.length) for (user, movies[i]). */
  /**
   * The rows of `movies` for the user; written into the start of `into` when it is long enough
   * (a caller's buffer reused across requests: a new ~100 KB buffer per list is external memory
   * that brought a full GC every second or so), else into a new array.
   */
  forUser(user: ServingUser, movies: Int32Array, into?: Float32Array): Float32Array;
}

/** Row-major vectors per dense movie index; a zero row means "no vector". */
export interface ItemVectors {
  dim: number;
  vectors: Float32Array;
}

/** The implicit-feedback factorisation, as candidate generator and similarity. */
export interface CollaborativeModel {
  /** Item factors (any scale; similarity uses cosine). */
  items: ItemVectors;
  /**
   * Preference score of the user for every movie (length nMovies), or null if unavailable. May
   * write into `into` (length nMovies, the caller's reused buffer) and return it.
   */
  userScores(user: ServingUser, into?: Float32Array): Float32Array | null;
}

/** Item-kNN top-K neighbour lists. */
export interface ItemNeighbours {
  neighbours(movie: number): { movie: Int32Array; sim: Float32Array };
  /** The same lists in one table, when the implementation has it: loops over many lists (a
   * user's kNN scores) then read them without a view object per list. */
  table?: NeighbourTable;
}

/** Neighbour lists in CSR form: movie m's are entries start[m] .. start[m+1]-1 of movie/sim. */
export interface NeighbourTable {
  start: Int32Array;
  movie: Int32Array;
  sim: Float32Array;
}

/** Per-feature contributions to the logit of one row, plus bias (LikeModel.contributions). */
export interface Contributions {
  bias: number;
  values: Float32Array;
}

export interface MovieSummary {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  ratingCount: number;
  meanRating: number | null;
  imdbUrl: string | null;
  tmdbUrl: string | null;
  posterUrl: string | null;
  overview: string | null;
}

export interface ReasonDetail {
  feature: string;
  contribution: number;
  reason: string;
}

export interface RecommendationItem extends MovieSummary {
  rank: number;
  pLike: number;
  reasons: string[];
  /** The contributions behind the reasons (model path only), strongest first. */
  explanation?: ReasonDetail[];
}

/** How a list was made: the like-model on candidates, a new user's few ratings, or
 * popularity-and-quality for a user with no ratings. */
export type Strategy = "model" | "profile" | "popularity";

export interface Recommendations {
  userId: number;
  coldStart: boolean;
  strategy: Strategy;
  items: RecommendationItem[];
}

export interface RecommendOptions {
  k?: number;
  /** Keep movies having at least one of these genres. */
  genres?: string[];
  minYear?: number;
  maxYear?: number;
  /** Minimum number of ratings a movie must have. */
  minRatings?: number;
}

export type SimilarMethod = "content" | "collaborative" | "blended";

export interface SimilarOptions {
  k?: number;
  method?: SimilarMethod;
  /** Content share of the blend, 0..1 (default 0.5). */
  contentWeight?: number;
}

export interface SimilarItem extends MovieSummary {
  score: number;
  contentScore: number | null;
  collaborativeScore: number | null;
}

export interface SimilarResult {
  movie: MovieSummary;
  method: SimilarMethod;
  items: SimilarItem[];
}
