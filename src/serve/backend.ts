/**
 * ServeBackend: everything the HTTP routes need, as one interface. The real implementation is
 * the Recommender (recommend/) wrapped with the run's report data; tests can pass a small
 * hand-written backend to exercise the HTTP layer alone. Methods throw CinerankError for
 * user-side failures (unknown movie, bad argument); the app maps the codes to HTTP statuses.
 */
import type {
  InteractionsResponse,
  ModelsResponse,
  MovieSummary,
  MoviesResponse,
  PredictResponse,
  RatingsResponse,
  RecommendationsResponse,
  SimilarResponse,
  StatsResponse,
  UserRatingsResponse,
} from "./api-types.js";

export interface RecommendQuery {
  k: number;
  genres?: string[];
  minYear?: number;
  maxYear?: number;
  minRatings?: number;
}

export type SimilarMethod = "content" | "collaborative" | "blended";

export interface SimilarQuery {
  k: number;
  method: SimilarMethod;
  /** Weight of the content similarity in the blend (collaborative gets 1 - w). */
  contentWeight?: number;
}

export interface MovieQuery {
  query?: string;
  genre?: string;
  limit: number;
}

/** A value or a promise of it: store-backed answers may be asynchronous. */
export type Awaitable<T> = T | Promise<T>;

export interface ServeBackend {
  /** Run id and chosen model, for /api/health. */
  info(): { run: string | null; model: string | null };
  stats(): Awaitable<StatsResponse>;
  models(): Awaitable<ModelsResponse>;
  recommend(userId: number, q: RecommendQuery): Awaitable<RecommendationsResponse>;
  predict(userId: number, movieIds: number[]): Awaitable<PredictResponse>;
  searchMovies(q: MovieQuery): Awaitable<MoviesResponse>;
  movie(movieId: number): Awaitable<MovieSummary>;
  similar(movieId: number, q: SimilarQuery): Awaitable<SimilarResponse>;
  addRatings(
    userId: number,
    ratings: { movieId: number; rating: number }[],
  ): Promise<RatingsResponse>;
  userRatings(userId: number, limit: number): Awaitable<UserRatingsResponse>;
  sampleInteractions(limit: number): Awaitable<InteractionsResponse>;
  /** Release resources (the store). Called once, when the server closes. */
  close(): Promise<void>;
}
