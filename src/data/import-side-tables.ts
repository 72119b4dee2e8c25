/**
 * The optional files -> store tables: tags (CSV / ml-10m tags.dat), links (CSV), users (ml-1m
 * users.dat with coded age/occupation, ml-100k u.user) and the tag genome (genome-tags.csv,
 * genome-scores.csv). Each row is checked like the ratings; bad rows are counted and skipped.
 */
import { DOUBLE, FLOAT, INTEGER, VARCHAR } from "@duckdb/node-api";
import { ChunkWriter } from "./chunk-writer.js";
import { fastCsvGenomeScores } from "./fast-csv-ratings.js";
import { checkCsvHeader } from "./header-check.js";
import type { ImportContext } from "./import-context.js";
import { parseDecimalBytes, parseUintBytes } from "./parse-number.js";
import type { ReleaseFile } from "./release-files.js";
import { type RowCounts, readRows } from "./row-reader.js";

/** ml-1m's occupation codes (its README). */
export const ML1M_OCCUPATIONS = [
  "other",
  "academic/educator",
  "artist",
  "clerical/admin",
  "college/grad student",
  "customer service",
  "doctor/health care",
  "executive/managerial",
  "farmer",
  "homemaker",
  "K-12 student",
  "lawyer",
  "programmer",
  "retired",
  "sales/marketing",
  "scientist",
  "self-employed",
  "technician/engineer",
  "tradesman/craftsman",
  "unemployed",
  "writer",
];

const MAX_ID = 2147483647;
const GENOME_SCORE_COLUMNS = ["movieId", "tagId", "relevance"];

export async function importTags(ctx: ImportContext, file: ReleaseFile): Promise<RowCounts> {
  const { conn, report, movieIds } = ctx;
  const decode = ctx.decoder(file.name);
  const csv = ctx.release.layout === "csv";
  await conn.run(
    "CREATE TABLE tags_raw(line INTEGER, user INTEGER, movie INTEGER, tag VARCHAR, ts DOUBLE)",
  );
  const w = await ChunkWriter.open(conn, "tags_raw", [INTEGER, INTEGER, INTEGER, VARCHAR, DOUBLE]);
  const counts = await readRows(
    file,
    {
      sep: csv ? "," : "::",
      fields: 4,
      header: csv,
      columns: ["userId", "movieId", "tag", "timestamp"],
    },
    report,
    ctx.onProgress,
    (buf, f, line) => {
      const b = f.bounds;
      const user = parseUintBytes(buf, b[0], b[1]);
      const movie = parseUintBytes(buf, b[2], b[3]);
      if (Number.isNaN(user) || Number.isNaN(movie) || user > MAX_ID || movie > MAX_ID) {
        report.add(file.name, "non_numeric_id", line);
        return false;
      }
      const ts = parseUintBytes(buf, b[6], b[7]);
      if (Number.isNaN(ts)) {
        report.add(file.name, "bad_timestamp", line);
        return false;
      }
      if (!movieIds.has(movie)) {
        report.add(file.name, "unknown_movie", line);
        return false;
      }
      w.row(line, user, movie, decode(buf, b[4], b[5], line, f.escaped[2] === 1), ts);
      return true;
    },
  );
  w.close();
  await conn.run(
    "CREATE TABLE tags AS SELECT user, movie, tag, CAST(ts AS BIGINT) AS timestamp FROM tags_raw; DROP TABLE tags_raw",
  );
  return counts;
}

export async function importLinks(ctx: ImportContext, file: ReleaseFile): Promise<RowCounts> {
  const columns = ["movieId", "imdbId", "tmdbId"];
  const { conn, report, movieIds } = ctx;
  await conn.run("CREATE TABLE links(movie INTEGER, imdb VARCHAR, tmdb INTEGER)");
  const w = await ChunkWriter.open(conn, "links", [INTEGER, VARCHAR, INTEGER]);
  const decode = ctx.decoder(file.name);
  const counts = await readRows(
    file,
    { sep: ",", fields: 3, header: true, columns },
    report,
    ctx.onProgress,
    (buf, f, line) => {
      const b = f.bounds;
      const movie = parseUintBytes(buf, b[0], b[1]);
      if (Number.isNaN(movie) || movie > MAX_ID) {
        report.add(file.name, "non_numeric_id", line);
        return false;
      }
      const imdbText = decode(buf, b[2], b[3], line).trim();
      const tmdbEmpty = b[5] === b[4];
      const tmdb = tmdbEmpty ? null : parseUintBytes(buf, b[4], b[5]);
      if (
        (imdbText !== "" && !/^\d+$/.test(imdbText)) ||
        (tmdb !== null && (Number.isNaN(tmdb) || tmdb > MAX_ID))
      ) {
        report.add(file.name, "non_numeric_id", line);
        return false;
      }
      if (!movieIds.has(movie)) {
        report.add(file.name, "unknown_movie", line);
        return false;
      }
      w.row(movie, imdbText === "" ? null : imdbText, tmdb);
      return true;
    },
  );
  w.close();
  return counts;
}

export async function importUsers(ctx: ImportContext, file: ReleaseFile): Promise<RowCounts> {
  const { conn, report } = ctx;
  const decode = ctx.decoder(file.name);
  const ml1m = ctx.release.layout === "dat";
  await conn.run(
    "CREATE TABLE users(user INTEGER, age INTEGER, gender VARCHAR, occupation VARCHAR, zip VARCHAR)",
  );
  const w = await ChunkWriter.open(conn, "users", [INTEGER, INTEGER, VARCHAR, VARCHAR, VARCHAR]);
  // ml-1m: UserID::Gender::Age::Occupation::Zip ; ml-100k: id|age|gender|occupation|zip
  const counts = await readRows(
    file,
    { sep: ml1m ? "::" : "|", fields: 5, header: false },
    report,
    ctx.onProgress,
    (buf, f, line) => {
      const b = f.bounds;
      const user = parseUintBytes(buf, b[0], b[1]);
      if (Number.isNaN(user) || user > MAX_ID) {
        report.add(file.name, "non_numeric_id", line);
        return false;
      }
      const ageField = ml1m ? 2 : 1;
      const age = parseUintBytes(buf, b[2 * ageField], b[2 * ageField + 1]);
      const gender = decode(buf, b[ml1m ? 2 : 4], b[ml1m ? 3 : 5], line).trim();
      let occupation = decode(buf, b[6], b[7], line).trim();
      if (ml1m) {
        const code = Number(occupation);
        if (!Number.isInteger(code) || code < 0 || code >= ML1M_OCCUPATIONS.length) {
          report.add(file.name, "bad_value", line);
          return false;
        }
        occupation = ML1M_OCCUPATIONS[code];
      }
      if (Number.isNaN(age) || (gender !== "M" && gender !== "F")) {
        report.add(file.name, "bad_value", line);
        return false;
      }
      w.row(user, age, gender, occupation, decode(buf, b[8], b[9], line).trim());
      return true;
    },
  );
  w.close();
  return counts;
}

export async function importGenomeTags(ctx: ImportContext, file: ReleaseFile): Promise<RowCounts> {
  const { conn, report } = ctx;
  const decode = ctx.decoder(file.name);
  await conn.run("CREATE TABLE genome_tags(tag_id INTEGER, tag VARCHAR)");
  const w = await ChunkWriter.open(conn, "genome_tags", [INTEGER, VARCHAR]);
  const counts = await readRows(
    file,
    { sep: ",", fields: 2, header: true, columns: ["tagId", "tag"] },
    report,
    ctx.onProgress,
    (buf, f, line) => {
      const b = f.bounds;
      const id = parseUintBytes(buf, b[0], b[1]);
      if (Number.isNaN(id) || id > MAX_ID) {
        report.add(file.name, "non_numeric_id", line);
        return false;
      }
      w.row(id, decode(buf, b[2], b[3], line, f.escaped[1] === 1));
      return true;
    },
  );
  w.close();
  return counts;
}

export async function importGenomeScores(
  ctx: ImportContext,
  file: ReleaseFile,
): Promise<RowCounts> {
  checkCsvHeader(file.path, file.name, GENOME_SCORE_COLUMNS);
  const fast = await fastCsvGenomeScores(ctx, file);
  if (fast) return fast;
  const { conn, report, movieIds } = ctx;
  await conn.run("CREATE TABLE genome_scores(movie INTEGER, tag_id INTEGER, relevance FLOAT)");
  const w = await ChunkWriter.open(conn, "genome_scores", [INTEGER, INTEGER, FLOAT]);
  const counts = await readRows(
    file,
    { sep: ",", fields: 3, header: true, columns: GENOME_SCORE_COLUMNS },
    report,
    ctx.onProgress,
    (buf, f, line) => {
      const b = f.bounds;
      const movie = parseUintBytes(buf, b[0], b[1]);
      const tag = parseUintBytes(buf, b[2], b[3]);
      if (Number.isNaN(movie) || Number.isNaN(tag) || movie > MAX_ID || tag > MAX_ID) {
        report.add(file.name, "non_numeric_id", line);
        return false;
      }
      const rel = parseDecimalBytes(buf, b[4], b[5]);
      if (!(rel >= 0 && rel <= 1)) {
        report.add(file.name, "bad_value", line);
        return false;
      }
      if (!movieIds.has(movie)) {
        report.add(file.name, "unknown_movie", line);
        return false;
      }
      w.row(movie, tag, rel);
      return true;
    },
  );
  w.close();
  return counts;
}
