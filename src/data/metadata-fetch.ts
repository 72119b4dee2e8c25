/**
 * fetchTmdbMetadata: fills the store's `movie_metadata` from TMDB's API v3 (GET /movie/{tmdbId})
 * for every movie in `links` that has no answer yet — so a re-run fetches only what is missing.
 * At most `concurrency` requests are in flight and request starts are spaced to `ratePerSecond`;
 * 429 answers wait for Retry-After, 5xx and network errors retry with exponential backoff, 404
 * is stored as `not_found` (never asked again), and a rejected key stops the run at once.
 * Results are written in batches, so an interrupted run keeps what it fetched.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { CinerankError, noProgress, type ProgressReporter } from "../core/index.js";
import {
  moviesMissingMetadata,
  type StoredMovieMetadata,
  upsertMetadata,
} from "./metadata-store.js";

export const TMDB_API_BASE = "https://api.themoviedb.org/3";

export interface TmdbFetchOptions {
  /** TMDB v3 API key, or a v4 read access token (sent as a Bearer header). */
  apiKey: string;
  /** API root (tests point it at a local fake server). */
  baseUrl?: string;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Request starts per second (default 20; TMDB allows about 50). */
  ratePerSecond?: number;
  /** Retries per movie after a 429, 5xx or network error (default 3). */
  retries?: number;
  /** First backoff in ms, doubled per retry (default 500). */
  backoffMs?: number;
  /** Fetch at most this many movies this run. */
  limit?: number;
  /** Rows per store write (default 50). */
  batchSize?: number;
  onProgress?: ProgressReporter;
}

export interface TmdbFetchSummary {
  /** Movies that still needed metadata when the run started. */
  missing: number;
  fetched: number;
  notFound: number;
  /** Movies given up on after all retries (asked again next run). */
  failed: number;
  /** Movies left for a later run because of `limit`. */
  skipped: number;
  requests: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** Spaces request starts at least 1000/rate ms apart across all workers. */
function rateGate(ratePerSecond: number): () => Promise<void> {
  const gap = 1000 / ratePerSecond;
  let next = 0;
  return async () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await sleep(at - now);
  };
}

interface TmdbMovie {
  overview?: string | null;
  poster_path?: string | null;
}

export async function fetchTmdbMetadata(
  conn: DuckDBConnection,
  opts: TmdbFetchOptions,
): Promise<TmdbFetchSummary> {
  const t0 = performance.now();
  const base = (opts.baseUrl ?? TMDB_API_BASE).replace(/\/+$/, "");
  const concurrency = opts.concurrency ?? 4;
  const rate = opts.ratePerSecond ?? 20;
  const retries = opts.retries ?? 3;
  const backoff = opts.backoffMs ?? 500;
  const batchSize = opts.batchSize ?? 50;
  const onProgress = opts.onProgress ?? noProgress;
  if (!opts.apiKey) throw new CinerankError("ERR_INVALID_ARGUMENT", "a TMDB API key is required");
  if (!(concurrency >= 1 && concurrency <= 64))
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `concurrency must be 1..64, got ${concurrency}`,
    );
  if (!(rate > 0)) throw new CinerankError("ERR_INVALID_ARGUMENT", `rate must be > 0, got ${rate}`);

  const missing = await moviesMissingMetadata(conn);
  const queue = opts.limit !== undefined ? missing.slice(0, opts.limit) : missing;
  const summary: TmdbFetchSummary = {
    missing: missing.length,
    fetched: 0,
    notFound: 0,
    failed: 0,
    skipped: missing.length - queue.length,
    requests: 0,
    seconds: 0,
  };
  const bearer = opts.apiKey.startsWith("eyJ"); // v4 tokens are JWTs
  const gate = rateGate(rate);
  let pending: StoredMovieMetadata[] = [];
  let writing: Promise<void> = Promise.resolve();
  let fatal: CinerankError | null = null;
  let done = 0;

  const flush = () => {
    const rows = pending;
    pending = [];
    writing = writing.then(() => upsertMetadata(conn, rows));
    return writing;
  };

  async function fetchOne(tmdbId: number): Promise<TmdbMovie | "not_found" | "failed"> {
    for (let attempt = 0; ; attempt++) {
      if (fatal) return "failed";
      await gate();
      summary.requests++;
      let res: Response;
      try {
        const url = `${base}/movie/${tmdbId}?language=en-US${bearer ? "" : `&api_key=${encodeURIComponent(opts.apiKey)}`}`;
        res = await fetch(url, {
          headers: {
            accept: "application/json",
            ...(bearer ? { authorization: `Bearer ${opts.apiKey}` } : {}),
          },
          signal: AbortSignal.timeout(15_000),
        });
      } catch {
        if (attempt >= retries) return "failed";
        await sleep(backoff * 2 ** attempt);
        continue;
      }
      if (res.ok) {
        try {
          return (await res.json()) as TmdbMovie;
        } catch {
          if (attempt >= retries) return "failed";
          continue;
        }
      }
      await res.body?.cancel();
      if (res.status === 404) return "not_found";
      if (res.status === 401 || res.status === 403) {
        fatal = new CinerankError(
          "ERR_UNAUTHORIZED",
          `TMDB rejected the API key (HTTP ${res.status} for movie ${tmdbId}); check --tmdb-key`,
        );
        return "failed";
      }
      if (attempt >= retries) return "failed";
      if (res.status === 429) {
        const after = Number(res.headers.get("retry-after"));
        await sleep(Number.isFinite(after) && after >= 0 ? after * 1000 : backoff * 2 ** attempt);
      } else {
        await sleep(backoff * 2 ** attempt);
      }
    }
  }

  let next = 0;
  async function worker(): Promise<void> {
    while (!fatal && next < queue.length) {
      const item = queue[next++];
      const r = await fetchOne(item.tmdbId);
      if (r === "failed") summary.failed++;
      else if (r === "not_found") {
        summary.notFound++;
        pending.push({
          movieId: item.movieId,
          tmdbId: item.tmdbId,
          overview: null,
          posterPath: null,
          status: "not_found",
          source: "tmdb",
        });
      } else {
        summary.fetched++;
        pending.push({
          movieId: item.movieId,
          tmdbId: item.tmdbId,
          overview: r.overview?.trim() ? r.overview.trim() : null,
          posterPath: r.poster_path ?? null,
          status: "ok",
          source: "tmdb",
        });
      }
      done++;
      onProgress({ stage: "tmdb metadata", done, total: queue.length, unit: "movies" });
      if (pending.length >= batchSize) await flush();
    }
  }

  await Promise.all(
    Array.from({ length: Math.min(concurrency, Math.max(1, queue.length)) }, worker),
  );
  await flush();
  if (fatal) throw fatal;
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}
