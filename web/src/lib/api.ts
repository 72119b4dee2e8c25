/**
 * The web app's only way to the data: a typed client for cinerank's HTTP API. Response shapes
 * come from the server's contract (src/serve/api-types.ts, imported as types only), and every
 * failure — network down, non-2xx, non-JSON — becomes an ApiRequestError with a message a
 * person can read, so pages show it instead of going blank.
 */
import type {
  ApiError,
  HealthResponse,
  InteractionsResponse,
  ModelsResponse,
  MovieSummary,
  MoviesResponse,
  RatingsRequest,
  RatingsResponse,
  RecommendationsResponse,
  SimilarResponse,
  StatsResponse,
  UserRatingsResponse,
} from "../../../src/serve/api-types.js";

export type SimilarMethod = SimilarResponse["method"];

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ApiRequestError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: {
        accept: "application/json",
        ...(init?.body ? { "content-type": "application/json" } : {}),
      },
    });
  } catch {
    throw new ApiRequestError(
      0,
      "ERR_NETWORK",
      "Cannot reach the cinerank server. Is `cinerank serve` still running?",
    );
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy error page, say): fall through with body = null.
  }
  if (!res.ok) {
    const err = (body ?? {}) as Partial<ApiError> & { status?: string };
    if (res.status === 503 && err.status === "loading") {
      throw new ApiRequestError(
        503,
        "ERR_LOADING",
        "The server is still loading its models. Try again in a moment.",
      );
    }
    throw new ApiRequestError(
      res.status,
      err.error ?? `HTTP_${res.status}`,
      err.message ?? `The server answered ${res.status} ${res.statusText}.`,
      err.details,
    );
  }
  if (body === null) {
    throw new ApiRequestError(
      res.status,
      "ERR_BAD_RESPONSE",
      `The server sent no JSON for ${path}.`,
    );
  }
  return body as T;
}

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export interface RecommendationFilters {
  k?: number;
  genres?: string[];
  minYear?: number | null;
  maxYear?: number | null;
}

export const api = {
  health: () => request<HealthResponse>("/api/health"),
  stats: () => request<StatsResponse>("/api/stats"),
  models: () => request<ModelsResponse>("/api/models"),
  interactions: (limit: number) =>
    request<InteractionsResponse>(`/api/interactions/sample${query({ limit })}`),
  recommendations: (userId: number, f: RecommendationFilters = {}) =>
    request<RecommendationsResponse>(
      `/api/users/${userId}/recommendations${query({
        k: f.k,
        genres: f.genres?.length ? f.genres.join(",") : undefined,
        minYear: f.minYear,
        maxYear: f.maxYear,
      })}`,
    ),
  userRatings: (userId: number, limit = 100) =>
    request<UserRatingsResponse>(`/api/users/${userId}/ratings${query({ limit })}`),
  rate: (userId: number, ratings: RatingsRequest["ratings"]) =>
    request<RatingsResponse>(`/api/users/${userId}/ratings`, {
      method: "POST",
      body: JSON.stringify({ ratings } satisfies RatingsRequest),
    }),
  searchMovies: (text: string, limit: number) =>
    request<MoviesResponse>(`/api/movies${query({ query: text, limit })}`),
  movie: (movieId: number) => request<MovieSummary>(`/api/movies/${movieId}`),
  similar: (movieId: number, method: SimilarMethod, k: number) =>
    request<SimilarResponse>(`/api/movies/${movieId}/similar${query({ k, method })}`),
};
