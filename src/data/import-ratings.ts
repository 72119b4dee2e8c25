/**
 * Ratings file -> `ratings` table. Checks every row (ids, rating scale, timestamp, known movie),
 * appends the good ones with their line number, then finds duplicate (user, movie) pairs in SQL
 * (a JS Set cannot hold 20M pairs) and keeps only the first of each.
 */
import { DOUBLE, FLOAT, INTEGER } from "@duckdb/node-api";
import { ChunkWriter } from "./chunk-writer.js";
import { fastCsvRatings } from "./fast-csv-ratings.js";
import { checkCsvHeader } from "./header-check.js";
import type { ImportContext } from "./import-context.js";
import { parseDecimalBytes, parseUintBytes } from "./parse-number.js";
import type { ReleaseFile } from "./release-files.js";
import { type RowCounts, readRows } from "./row-reader.js";

const RATINGS_COLUMNS = ["userId", "movieId", "rating", "timestamp"];

export async function importRatings(ctx: ImportContext, file: ReleaseFile): Promise<RowCounts> {
  if (ctx.release.layout === "csv") {
    // the header is checked first so that a wrong file fails the same way on both paths
    checkCsvHeader(file.path, file.name, RATINGS_COLUMNS);
    const fast = await fastCsvRatings(ctx, file);
    if (fast) return fast;
  }
  const { conn, report, movieIds } = ctx;
  const layout = ctx.release.layout;
  const half = ctx.release.halfStars;
  await conn.run(
    "CREATE TABLE ratings_raw(line INTEGER, user INTEGER, movie INTEGER, rating FLOAT, ts DOUBLE)",
  );
  const w = await ChunkWriter.open(conn, "ratings_raw", [INTEGER, INTEGER, INTEGER, FLOAT, DOUBLE]);
  const name = file.name;
  const counts = await readRows(
    file,
    {
      sep: layout === "csv" ? "," : layout === "dat" ? "::" : "\t",
      fields: 4,
      header: layout === "csv",
      columns: RATINGS_COLUMNS,
    },
    report,
    ctx.onProgress,
    (buf, f, line) => {
      const b = f.bounds;
      const user = parseUintBytes(buf, b[0], b[1]);
      const movie = parseUintBytes(buf, b[2], b[3]);
      if (Number.isNaN(user) || Number.isNaN(movie) || user > 2147483647 || movie > 2147483647) {
        report.add(name, "non_numeric_id", line);
        return false;
      }
      const rating = parseDecimalBytes(buf, b[4], b[5]);
      const steps = half ? rating * 2 : rating;
      if (!Number.isInteger(steps) || steps < (half ? 1 : 1) || steps > (half ? 10 : 5)) {
        report.add(name, "rating_out_of_scale", line);
        return false;
      }
      const ts = parseUintBytes(buf, b[6], b[7]);
      if (Number.isNaN(ts)) {
        report.add(name, "bad_timestamp", line);
        return false;
      }
      if (!movieIds.has(movie)) {
        report.add(name, "unknown_movie", line);
        return false;
      }
      w.row(line, user, movie, rating, ts);
      return true;
    },
  );
  w.close();
  let rows = counts.rows;
  const dups = await conn.runAndReadAll(
    "SELECT list(line ORDER BY line)[2:] AS extra FROM ratings_raw GROUP BY user, movie HAVING count(*) > 1",
  );
  const dupLines: number[] = [];
  for (const [extra] of dups.getRowsJS()) for (const l of extra as number[]) dupLines.push(l);
  if (dupLines.length > 0) {
    await conn.run("CREATE TEMP TABLE dup_lines(line INTEGER)");
    const d = await ChunkWriter.open(conn, "dup_lines", [INTEGER]);
    for (const l of dupLines) {
      report.add(name, "duplicate_rating", l);
      d.row(l);
    }
    d.close();
    rows -= dupLines.length;
  }
  // rows keep file order (no ORDER BY: DuckDB preserves insertion order)
  await conn.run(
    `CREATE TABLE ratings AS SELECT user, movie, rating, CAST(ts AS BIGINT) AS timestamp FROM ratings_raw${
      dupLines.length > 0 ? " WHERE line NOT IN (SELECT line FROM dup_lines)" : ""
    }`,
  );
  await conn.run("DROP TABLE ratings_raw");
  return { lines: counts.lines, rows };
}
