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
  try {
    // ids and timestamps are read as DOUBLE so that "12.5" is caught below instead of rounded
    await runWithProgress(
      ctx,
      `CREATE TABLE ratings_fast AS SELECT row_number() OVER () + 1 AS line, userId AS user, movieId AS movie, rating, timestamp AS ts
       FROM read_csv(${sqlString(file.path)}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
         columns = {'userId': 'DOUBLE', 'movieId': 'DOUBLE', 'rating': 'DOUBLE', 'timestamp': 'DOUBLE'})`,
      stage,
      total,
    );
  } catch {
    await conn.run("DROP TABLE IF EXISTS ratings_fast");
    return null;
  }
  const [lo, hi] = ctx.release.halfStars ? [1, 10] : [1, 5];
  const scale = ctx.release.halfStars ? "rating * 2" : "rating";
  const bad = await conn.runAndReadAll(
    `SELECT
       (SELECT count(*) FROM ratings_fast) AS n,
       (SELECT count(*) FROM ratings_fast WHERE user IS NULL OR movie IS NULL OR rating IS NULL OR ts IS NULL
          OR user < 0 OR movie < 0 OR ts < 0 OR user > 2147483647 OR movie > 2147483647
          OR user <> floor(user) OR movie <> floor(movie) OR ts <> floor(ts)
          OR ${scale} <> floor(${scale}) OR ${scale} < ${lo} OR ${scale} > ${hi}) AS invalid,
       (SELECT count(*) FROM ratings_fast r ANTI JOIN movies_raw m ON r.movie = m.movie) AS unknown,
       (SELECT count(*) FROM (SELECT 1 FROM ratings_fast GROUP BY user, movie HAVING count(*) > 1)) AS dups`,
  );
  const [n, invalid, unknown, dups] = bad.getRowsJS()[0].map(Number);
  if (n !== dataLines || invalid + unknown + dups > 0) {
    await conn.run("DROP TABLE ratings_fast");
    return null;
  }
  await conn.run(
    `CREATE TABLE ratings AS SELECT CAST(line AS INTEGER) AS line, CAST(user AS INTEGER) AS user, CAST(movie AS INTEGER) AS movie,
       CAST(rating AS FLOAT) AS rating, CAST(ts AS BIGINT) AS timestamp FROM ratings_fast;
     DROP TABLE ratings_fast`,
  );
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
