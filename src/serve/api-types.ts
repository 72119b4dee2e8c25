/**
 * The HTTP API's response and request shapes: the contract between `serve/` (which implements
 * the routes with JSON schemas) and the web app (which imports these types only). All ids are
 * MovieLens ids (userId, movieId), never dense indices. Errors are always `ApiError` with a 4xx/5xx.
 */

export interface ApiError {
  /** Stable code, e.g. "ERR_INVALID_ARGUMENT", "ERR_UNKNOWN_MOVIE". */
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

/** GET /api/health — 200 when models are loaded, 503 { status: "loading" } before. */
export interface HealthResponse {
  status: "ok" | "loading";
  run: string | null;
  model: string | null;
  uptimeSeconds: number;
}

export interface CountBin {
  label: string;
  count: number;
}

/** GET /api/stats — the dataset overview (from the store / `cinerank inspect`). */
export interface StatsResponse {
  release: string;
  users: number;
  movies: number;
  ratings: number;
  meanRating: number;
  likeRate: number;
  threshold: number;
  sparsity: number;
  /** Rating value -> count, e.g. label "3.5". */
  ratingHistogram: CountBin[];
  /** Year -> number of ratings. */
  ratingsPerYear: CountBin[];
  /** Per genre: number of ratings and mean rating. */
  genres: { genre: string; movies: number; ratings: number; meanRating: number }[];
  /** Ratings-per-user histogram (log-spaced bins, label like "20–49"). */
  ratingsPerUser: CountBin[];
  quantiles: {
    ratingsPerUser: Record<string, number>;
    ratingsPerMovie: Record<string, number>;
  };
}

export interface Metrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
}

export interface ComparisonRow {
  /** Row id, e.g. "gbdt/random". */
  id: string;
  family: string;
  variant: "baseline" | "grid" | "random" | "reference";
  params: Record<string, number | string | boolean>;
  validation: Metrics;
  test: Metrics;
  fitSeconds: number;
  chosen: boolean;
}

export interface Curve {
  id: string;
  /** [x, y] points: ROC = [fpr, tpr], PR = [recall, precision]. */
  points: [number, number][];
  auc: number;
}

/** GET /api/models — the comparison table and the chosen model's diagnostics. */
export interface ModelsResponse {
  run: string;
  chosen: string;
  threshold: number;
  /** Decision threshold on P(like) chosen on validation (best F1). */
  decisionThreshold: number;
  split: {
    kind: string;
    seed: number;
    train: number;
    validation: number;
    test: number;
    dropped: number;
  };
  rows: ComparisonRow[];
  roc: { validation: Curve[]; test: Curve[] };
  pr: { validation: Curve[]; test: Curve[] };
  importance: { feature: string; value: number }[];
  confusion: { threshold: number; tp: number; fp: number; tn: number; fn: number };
  calibration: { bin: number; meanPredicted: number; fractionPositive: number; count: number }[];
  ranking?: Record<string, number>;
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

export interface RecommendationItem extends MovieSummary {
  rank: number;
  pLike: number;
  /** Two or three human-readable reasons, strongest first. */
  reasons: string[];
  /** The model's feature contributions behind `reasons` (logit units), strongest first. */
  explanation?: { feature: string; contribution: number; reason: string }[];
}

/** GET /api/users/:id/recommendations?k=&genres=&minYear=&maxYear= */
export interface RecommendationsResponse {
  userId: number;
  /** True when the user is unknown or has too few ratings: popularity-and-quality ranking. */
  coldStart: boolean;
  /** "model": like-model on CF candidates; "profile": a new user's few ratings (content +
   * kNN); "popularity": no ratings at all. */
  strategy?: "model" | "profile" | "popularity";
  items: RecommendationItem[];
}

/** POST /api/predict body and response. */
export interface PredictRequest {
  userId: number;
  movieIds: number[];
}
export interface PredictResponse {
  userId: number;
  predictions: { movieId: number; pLike: number }[];
}

/** GET /api/movies?query=&genre=&limit= */
export interface MoviesResponse {
  items: MovieSummary[];
}

/** GET /api/movies/:id/similar?k=&method=content|collaborative|blended */
export interface SimilarResponse {
  movie: MovieSummary;
  method: "content" | "collaborative" | "blended";
  items: (MovieSummary & {
    score: number;
    contentScore: number | null;
    collaborativeScore: number | null;
  })[];
}

/** POST /api/users/:id/ratings body and response. */
export interface RatingsRequest {
  ratings: { movieId: number; rating: number }[];
}
export interface RatingsResponse {
  userId: number;
  added: number;
  ratingCount: number;
}

/** GET /api/users/:id/ratings — the user's ratings, newest first (training + live). */
export interface UserRatingsResponse {
  userId: number;
  items: (MovieSummary & { rating: number; timestamp: number })[];
}

/** GET /api/interactions/sample?limit= — a random sample of ratings for the EDA page. */
export interface InteractionsResponse {
  items: (MovieSummary & { userId: number; rating: number; timestamp: number })[];
}
