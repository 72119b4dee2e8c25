/**
 * Movie metadata (overview and poster) in the DuckDB store: the `movie_metadata` table that
 * `cinerank metadata` fills (from TMDB or a local file) and the API reads to give movies posters
 * and overviews. One row per movie; `status` records TMDB misses too, so a re-run fetches only
 * what has never been answered.
 *
 *   movie_metadata(movie INTEGER PRIMARY KEY, tmdb INTEGER, overview VARCHAR,
 *                  poster_path VARCHAR, status VARCHAR, source VARCHAR, fetched_at BIGINT)
 *   status: 'ok' | 'not_found'      source: 'tmdb' | 'file'      poster_path: TMDB's "/abc.jpg"
 *                                                                 or a full http(s) URL
 */
import type { DuckDBConnection } from "@duckdb/node-api";

export const METADATA_DDL =
  "CREATE TABLE IF NOT EXISTS movie_metadata(movie INTEGER PRIMARY KEY, tmdb INTEGER, overview VARCHAR, poster_path VARCHAR, status VARCHAR NOT NULL, source VARCHAR NOT NULL, fetched_at BIGINT NOT NULL)";

/** TMDB's image CDN; poster paths from TMDB are relative to it. */
export const TMDB_IMAGE_BASE = "https://image.tmdb.org/t/p";

export interface StoredMovieMetadata {
  movieId: number;
  tmdbId: number | null;
  overview: string | null;
  /** TMDB poster path ("/abc.jpg") or a full http(s) URL; null when there is none. */
  posterPath: string | null;
  status: "ok" | "not_found";
  source: "tmdb" | "file";
}

/** Poster URL for a stored poster path, at one of TMDB's widths (w92 … w780). */
export function posterUrl(posterPath: string | null, width = "w342"): string | null {
  if (!posterPath) return null;
  if (/^https?:\/\//.test(posterPath)) return posterPath;
  return `${TMDB_IMAGE_BASE}/${width}${posterPath.startsWith("/") ? "" : "/"}${posterPath}`;
}

export async function ensureMetadataTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(METADATA_DDL);
}

/** Inserts or replaces rows (by movie id) in one transaction. */
export async function upsertMetadata(
  conn: DuckDBConnection,
  rows: StoredMovieMetadata[],
): Promise<void> {
  if (rows.length === 0) return;
  await ensureMetadataTable(conn);
  const now = Math.floor(Date.now() / 1000);
  await conn.run("BEGIN TRANSACTION");
  try {
    const stmt = await conn.prepare(
      "INSERT OR REPLACE INTO movie_metadata VALUES ($1, $2, $3, $4, $5, $6, $7)",
    );
    for (const r of rows) {
      stmt.bindInteger(1, r.movieId);
      if (r.tmdbId === null) stmt.bindNull(2);
      else stmt.bindInteger(2, r.tmdbId);
      if (r.overview === null) stmt.bindNull(3);
      else stmt.bindVarchar(3, r.overview);
      if (r.posterPath === null) stmt.bindNull(4);
      else stmt.bindVarchar(4, r.posterPath);
      stmt.bindVarchar(5, r.status);
      stmt.bindVarchar(6, r.source);
      stmt.bindBigInt(7, BigInt(now));
      await stmt.run();
    }
    await conn.run("COMMIT");
  } catch (e) {
    await conn.run("ROLLBACK");
    throw e;
  }
}

async function hasTable(conn: DuckDBConnection, name: string): Promise<boolean> {
  const r = await conn.runAndReadAll(
    `SELECT count(*) FROM duckdb_tables() WHERE table_name = '${name}' AND database_name = current_database()`,
  );
  return Number(r.getRowsJS()[0][0]) > 0;
}

/** Movies with a TMDB id in `links` that have no answered metadata row yet (the fetch queue). */
export async function moviesMissingMetadata(
  conn: DuckDBConnection,
): Promise<{ movieId: number; tmdbId: number }[]> {
  await ensureMetadataTable(conn);
  if (!(await hasTable(conn, "links"))) return [];
  const r = await conn.runAndReadAll(
    "SELECT l.movie, l.tmdb FROM links l LEFT JOIN movie_metadata m ON m.movie = l.movie WHERE l.tmdb IS NOT NULL AND m.movie IS NULL ORDER BY l.movie",
  );
  return r.getRowsJS().map(([m, t]) => ({ movieId: Number(m), tmdbId: Number(t) }));
}

/** Every stored metadata row with something to show, by movie id (for the API). */
export async function readMetadata(
  conn: DuckDBConnection,
): Promise<Map<number, { overview: string | null; posterPath: string | null }>> {
  const out = new Map<number, { overview: string | null; posterPath: string | null }>();
  if (!(await hasTable(conn, "movie_metadata"))) return out;
  const r = await conn.runAndReadAll(
    "SELECT movie, overview, poster_path FROM movie_metadata WHERE status = 'ok' AND (overview IS NOT NULL OR poster_path IS NOT NULL)",
  );
  for (const [m, o, p] of r.getRowsJS()) {
    out.set(Number(m), {
      overview: o === null ? null : String(o),
      posterPath: p === null ? null : String(p),
    });
  }
  return out;
}

/** Copies movie_metadata from an attached previous store (used when the store is rebuilt). */
export async function carryOverMetadata(conn: DuckDBConnection, attached: string): Promise<void> {
  const r = await conn.runAndReadAll(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = '${attached}' AND table_name = 'movie_metadata'`,
  );
  if (Number(r.getRowsJS()[0][0]) === 0) return;
  await ensureMetadataTable(conn);
  await conn.run(
    `INSERT OR REPLACE INTO movie_metadata SELECT * FROM ${attached}.movie_metadata WHERE movie IN (SELECT movie FROM movies)`,
  );
}
