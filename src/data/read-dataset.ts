/**
 * Store -> canonical in-memory Dataset. Reads the big columns through DuckDB's columnar chunks
 * straight into typed arrays (no per-row objects). Dense indices:
 *   movies: order of the movies file;
 *   users:  users with ratings by ascending id, then users known only from tags or the users
 *           file by ascending id.
 * Ratings keep file order, followed by `ratings_added` in insertion order.
 */
import type { DuckDBConnection, DuckDBVector } from "@duckdb/node-api";
import { IdMap, type ProgressReporter } from "../core/index.js";
import type {
  Dataset,
  Demographics,
  Genome,
  Layout,
  MovieColumns,
  RatingsColumns,
  TagColumns,
} from "./dataset.js";
import { GENRES } from "./genres.js";

/** External id -> dense index through a typed array when ids are small, else a Map. */
class DenseLookup {
  private readonly table: Int32Array | null;
  private readonly map: Map<number, number> | null;

  constructor(ids: IdMap) {
    let max = 0;
    for (let i = 0; i < ids.size; i++) max = Math.max(max, ids.id(i));
    if (max <= 8 * ids.size + (1 << 20)) {
      this.table = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < ids.size; i++) this.table[ids.id(i)] = i;
      this.map = null;
    } else {
      this.table = null;
      this.map = new Map();
      for (let i = 0; i < ids.size; i++) this.map.set(ids.id(i), i);
    }
  }

  get(id: number): number {
    if (this.table) return id < this.table.length ? this.table[id] : -1;
    return this.map!.get(id) ?? -1;
  }
}

/** Columns of a query as JS values; an empty result still gives `n` empty columns. */
async function columns(conn: DuckDBConnection, sql: string, n: number): Promise<unknown[][]> {
  const cols = (await conn.runAndReadAll(sql)).getColumnsJS() as unknown[][];
  while (cols.length < n) cols.push([]);
  return cols;
}

/**
 * The chunk's values as the typed array DuckDB filled (Int32Array for INTEGER, Float32Array for
 * FLOAT, Float64Array for DOUBLE) when the vector has no NULLs, else null. @duckdb/node-api keeps
 * them in a field its typings mark private; reading it avoids one method call per value (80M for
 * ml-20m). If a future version changes that, callers fall back to getItem.
 */
function rawNumbers(v: DuckDBVector): ArrayLike<number> | null {
  const inner = v as unknown as { items?: unknown; validity?: { data?: unknown } };
  const items = inner.items;
  const numeric =
    items instanceof Int32Array || items instanceof Float32Array || items instanceof Float64Array;
  if (!numeric || !inner.validity || inner.validity.data !== null) return null;
  return items.length === v.itemCount ? items : null;
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  return Number((await conn.runAndReadAll(sql)).getRowsJS()[0][0]);
}

/** Reads `sql` (user, movie, rating, ts::DOUBLE) into ratings[offset...]. */
async function readRatingRows(
  conn: DuckDBConnection,
  sql: string,
  out: RatingsColumns,
  offset: number,
  total: number,
  users: DenseLookup,
  movies: DenseLookup,
  onProgress: ProgressReporter,
): Promise<number> {
  const res = await conn.run(sql);
  let p = offset;
  let lastReport = 0;
  for (;;) {
    const chunk = await res.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    const cu = chunk.getColumnVector(0);
    const cm = chunk.getColumnVector(1);
    const cr = chunk.getColumnVector(2);
    const ct = chunk.getColumnVector(3);
    const ru = rawNumbers(cu);
    const rm = rawNumbers(cm);
    const rr = rawNumbers(cr);
    const rt = rawNumbers(ct);
    if (ru && rm && rr && rt) {
      for (let k = 0; k < n; k++) {
        out.user[p + k] = users.get(ru[k]);
        out.movie[p + k] = movies.get(rm[k]);
      }
      out.rating.set(rr, p);
      out.timestamp.set(rt, p);
    } else {
      for (let k = 0; k < n; k++) {
        out.user[p + k] = users.get(cu.getItem(k) as number);
        out.movie[p + k] = movies.get(cm.getItem(k) as number);
        out.rating[p + k] = cr.getItem(k) as number;
        out.timestamp[p + k] = ct.getItem(k) as number;
      }
    }
    p += n;
    if (p - lastReport >= 1 << 20) {
      lastReport = p;
      onProgress({ stage: "read ratings", done: p, total, unit: "rows" });
    }
  }
  return p - offset;
}

export async function readDataset(
  conn: DuckDBConnection,
  release: string,
  layout: Layout,
  onProgress: ProgressReporter,
): Promise<Dataset> {
  // movies, in file order, with links
  const mv = await columns(
    conn,
    "SELECT m.movie, m.title, m.year, m.genre_mask, l.imdb, l.tmdb FROM movies m LEFT JOIN links l USING (movie) ORDER BY m.pos",
    6,
  );
  const movies = IdMap.from(mv[0] as number[]);
  const nm = movies.size;
  const movieInfo: MovieColumns = {
    title: mv[1] as string[],
    year: Float32Array.from(mv[2] as (number | null)[], (y) => (y === null ? Number.NaN : y)),
    genres: Uint32Array.from(mv[3] as number[]),
    imdb: mv[4] as (string | null)[],
    tmdb: Float64Array.from(mv[5] as (number | null)[], (t) => (t === null ? Number.NaN : t)),
  };
  if (movieInfo.title.length !== nm) throw new Error("store has duplicate movie ids");
  const userIds = (
    await columns(
      conn,
      `SELECT user FROM (
         SELECT user, 0 AS k FROM ratings UNION ALL SELECT user, 0 FROM ratings_added
         UNION ALL SELECT user, 1 FROM tags UNION ALL SELECT user, 1 FROM users
       ) GROUP BY user ORDER BY min(k), user`,
      1,
    )
  )[0] as number[];
  const users = IdMap.from(userIds);
  const userLookup = new DenseLookup(users);
  const movieLookup = new DenseLookup(movies);

  const nBase = await count(conn, "SELECT count(*) FROM ratings");
  const nAdded = await count(conn, "SELECT count(*) FROM ratings_added");
  const n = nBase + nAdded;
  const ratings: RatingsColumns = {
    user: new Int32Array(n),
    movie: new Int32Array(n),
    rating: new Float32Array(n),
    timestamp: new Float64Array(n),
  };
  let got = await readRatingRows(
    conn,
    "SELECT user, movie, rating, CAST(timestamp AS DOUBLE) FROM ratings",
    ratings,
    0,
    n,
    userLookup,
    movieLookup,
    onProgress,
  );
  got += await readRatingRows(
    conn,
    "SELECT user, movie, rating, CAST(timestamp AS DOUBLE) FROM ratings_added",
    ratings,
    got,
    n,
    userLookup,
    movieLookup,
    onProgress,
  );
  onProgress({ stage: "read ratings", done: got, total: n, unit: "rows" });

  const tg = await columns(conn, "SELECT user, movie, tag, CAST(timestamp AS DOUBLE) FROM tags", 4);
  const tags: TagColumns = {
    user: Int32Array.from(tg[0] as number[], (u) => userLookup.get(u)),
    movie: Int32Array.from(tg[1] as number[], (m) => movieLookup.get(m)),
    tag: tg[2] as string[],
    timestamp: Float64Array.from(tg[3] as number[]),
  };

  let demographics: Demographics | undefined;
  const us = await columns(conn, "SELECT user, age, gender, occupation, zip FROM users", 5);
  if ((us[0] as number[]).length > 0) {
    const nu = users.size;
    demographics = {
      age: new Float32Array(nu).fill(Number.NaN),
      gender: new Array<string>(nu).fill(""),
      occupation: new Array<string>(nu).fill(""),
      zip: new Array<string>(nu).fill(""),
    };
    (us[0] as number[]).forEach((u, r) => {
      const i = userLookup.get(u);
      demographics!.age[i] = us[1][r] as number;
      demographics!.gender[i] = us[2][r] as string;
      demographics!.occupation[i] = us[3][r] as string;
      demographics!.zip[i] = us[4][r] as string;
    });
  }

  const genome = await readGenome(conn, movieLookup);
  return {
    release,
    layout,
    users,
    movies,
    genres: GENRES,
    ratings,
    movieInfo,
    tags,
    demographics,
    genome,
  };
}

async function readGenome(
  conn: DuckDBConnection,
  movies: DenseLookup,
): Promise<Genome | undefined> {
  const gt = await columns(conn, "SELECT tag_id, tag FROM genome_tags ORDER BY tag_id", 2);
  const tagIds = gt[0] as number[];
  if (tagIds.length === 0) return undefined;
  const tagCol = new Map<number, number>(tagIds.map((t, i) => [t, i]));
  const gm = await columns(
    conn,
    "SELECT DISTINCT s.movie, m.pos FROM genome_scores s JOIN movies m USING (movie) ORDER BY m.pos",
    2,
  );
  const movieRow = new Map<number, number>((gm[0] as number[]).map((m, i) => [m, i]));
  const nt = tagIds.length;
  const relevance = new Float32Array(movieRow.size * nt).fill(Number.NaN);
  const res = await conn.run("SELECT movie, tag_id, relevance FROM genome_scores");
  for (;;) {
    const chunk = await res.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cm = chunk.getColumnVector(0);
    const ct = chunk.getColumnVector(1);
    const cr = chunk.getColumnVector(2);
    for (let k = 0; k < chunk.rowCount; k++) {
      const row = movieRow.get(cm.getItem(k) as number);
      const col = tagCol.get(ct.getItem(k) as number);
      if (row !== undefined && col !== undefined)
        relevance[row * nt + col] = cr.getItem(k) as number;
    }
  }
  return {
    tags: gt[1] as string[],
    movies: Int32Array.from(gm[0] as number[], (m) => movies.get(m)),
    relevance,
  };
}
