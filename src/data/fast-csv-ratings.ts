/**
 * Fast path for CSV ratings files: DuckDB's parallel CSV reader loads the file, then SQL checks
 * everything the row-by-row path checks (ids, scale, timestamps, known movies, duplicates) and
 * that no line was skipped. Only a clean file is accepted here; any problem returns null and the
 * caller re-reads the file row by row, which reports each issue with its line numbers.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { ImportContext } from "./import-context.js";
import type { ReleaseFile } from "./release-files.js";
import type { RowCounts } from "./row-reader.js";

/** Lines in a file (a last line without '\n' counts), via native indexOf over 8 MB blocks. */
export function countLines(path: string): number {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    let lines = 0;
    let last = 10;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      let i = buf.indexOf(10, 0);
      while (i >= 0 && i < n) {
        lines++;
        i = buf.indexOf(10, i + 1);
      }
      last = buf[n - 1];
    }
    return last === 10 ? lines : lines + 1;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `sql` while polling DuckDB's query progress, so a long read_csv still moves the
 * progress bar (reported as bytes of `total`).
 */
async function runWithProgress(
  ctx: ImportContext,
  sql: string,
  stage: string,
  total: number,
): Promise<void> {
  const timer = setInterval(() => {
    try {
      const p = ctx.conn.progress.percentage;
      if (p > 0 && p < 100)
        ctx.onProgress({ stage, done: Math.round((p / 100) * total), total, unit: "bytes" });
    } catch {
      // progress is best effort
    }
  }, 250);
  try {
    await ctx.conn.run(sql);
  } finally {
    clearInterval(timer);
  }
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

export async function fastCsvRatings(
  ctx: ImportContext,
  file: ReleaseFile,
): Promise<RowCounts | null> {
  const { conn } = ctx;
  const total = statSync(file.path).size;
  const stage = `load ${file.name}`;
  ctx.onProgress({ stage, done: 0, total, unit: "bytes" });
  const dataLines = countLines(file.path) - 1;
  const [lo, hi] = ctx.release.halfStars ? [0.5, 5] : [1, 5];
  const steps = ctx.release.halfStars ? "rating * 2" : "rating";
  try {
    // Fields are read as DOUBLE (DuckDB's integer parser would round "12.5"); a value that is
    // not valid for its column becomes NULL here, and any NULL sends the file to the slow path.
    await runWithProgress(
      ctx,
      `CREATE TABLE ratings AS SELECT
         CASE WHEN userId = floor(userId) AND userId BETWEEN 0 AND 2147483647 THEN CAST(userId AS INTEGER) END AS user,
         CASE WHEN movieId = floor(movieId) AND movieId BETWEEN 0 AND 2147483647 THEN CAST(movieId AS INTEGER) END AS movie,
         CASE WHEN ${steps} = floor(${steps}) AND rating BETWEEN ${lo} AND ${hi} THEN CAST(rating AS FLOAT) END AS rating,
         CASE WHEN timestamp = floor(timestamp) AND timestamp >= 0 THEN CAST(timestamp AS BIGINT) END AS timestamp
       FROM read_csv(${sqlString(file.path)}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
         columns = {'userId': 'DOUBLE', 'movieId': 'DOUBLE', 'rating': 'DOUBLE', 'timestamp': 'DOUBLE'})`,
      stage,
      total,
    );
  } catch {
    await conn.run("DROP TABLE IF EXISTS ratings");
    return null;
  }
  const reject = async () => {
    await conn.run("DROP TABLE ratings");
    return null;
  };
  const one = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRowsJS()[0][0]);
  const n = await one("SELECT count(*) FROM ratings");
  if (n !== dataLines) return reject(); // DuckDB skipped lines (e.g. blank ones)
  if (
    (await one(
      "SELECT count(*) FROM ratings WHERE user IS NULL OR movie IS NULL OR rating IS NULL OR timestamp IS NULL",
    )) > 0
  ) {
    return reject();
  }
  if ((await one("SELECT count(*) FROM ratings r ANTI JOIN movies_raw m ON r.movie = m.movie")) > 0)
    return reject();
  // Duplicates: MovieLens files are sorted by (user, movie), and a strictly increasing sequence
  // has none; one streaming pass proves it. Otherwise a hash aggregate counts distinct pairs.
  const unsorted = await one(
    "SELECT count(*) FROM (SELECT user, movie, lag(user) OVER () AS pu, lag(movie) OVER () AS pm FROM ratings) WHERE pu IS NOT NULL AND NOT (user > pu OR (user = pu AND movie > pm))",
  );
  if (
    unsorted > 0 &&
    (await one(
      "SELECT count(*) - count(DISTINCT (CAST(user AS BIGINT) << 32) | movie) FROM ratings",
    )) > 0
  ) {
    return reject();
  }
  ctx.onProgress({ stage, done: total, total, unit: "bytes" });
  return { lines: dataLines, rows: n };
}

/** Same idea for genome-scores.csv (11-15M rows in ml-20m and later): clean files via read_csv. */
export async function fastCsvGenomeScores(
  ctx: ImportContext,
  file: ReleaseFile,
): Promise<RowCounts | null> {
  const { conn } = ctx;
  const total = statSync(file.path).size;
  const stage = `load ${file.name}`;
  ctx.onProgress({ stage, done: 0, total, unit: "bytes" });
  const dataLines = countLines(file.path) - 1;
  try {
    await runWithProgress(
      ctx,
      `CREATE TABLE genome_fast AS SELECT movieId AS movie, tagId AS tag_id, relevance
       FROM read_csv(${sqlString(file.path)}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
         columns = {'movieId': 'DOUBLE', 'tagId': 'DOUBLE', 'relevance': 'DOUBLE'})`,
      stage,
      total,
    );
  } catch {
    await conn.run("DROP TABLE IF EXISTS genome_fast");
    return null;
  }
  const bad = await conn.runAndReadAll(
    `SELECT
       (SELECT count(*) FROM genome_fast) AS n,
       (SELECT count(*) FROM genome_fast WHERE movie IS NULL OR tag_id IS NULL OR relevance IS NULL
          OR movie < 0 OR tag_id < 0 OR movie > 2147483647 OR tag_id > 2147483647
          OR movie <> floor(movie) OR tag_id <> floor(tag_id) OR relevance < 0 OR relevance > 1) AS invalid,
       (SELECT count(*) FROM genome_fast g ANTI JOIN movies_raw m ON g.movie = m.movie) AS unknown`,
  );
  const [n, invalid, unknown] = bad.getRowsJS()[0].map(Number);
  if (n !== dataLines || invalid + unknown > 0) {
    await conn.run("DROP TABLE genome_fast");
    return null;
  }
  await conn.run(
    `CREATE TABLE genome_scores AS SELECT CAST(movie AS INTEGER) AS movie, CAST(tag_id AS INTEGER) AS tag_id,
       CAST(relevance AS FLOAT) AS relevance FROM genome_fast;
     DROP TABLE genome_fast`,
  );
  ctx.onProgress({ stage, done: total, total, unit: "bytes" });
  return { lines: dataLines, rows: n };
}
