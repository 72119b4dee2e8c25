/**
 * importMetadataFile: the offline way to posters and overviews — reads a CSV or JSON file with
 * one row per movie and stores it in `movie_metadata` (replacing earlier rows of those movies).
 *
 *   CSV:  header with movieId and any of overview, posterPath (or poster_path), tmdbId;
 *         standard quoting, so overviews may contain commas, quotes and newlines
 *   JSON: [{ "movieId": 1, "overview": "...", "posterPath": "/abc.jpg" }, ...]
 *         (or { "items": [...] })
 *
 * A row naming a movie that is not in the store, or with a bad id, is an error that names the
 * file, the row and the field.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { CinerankError } from "../core/index.js";
import { type StoredMovieMetadata, upsertMetadata } from "./metadata-store.js";

export interface MetadataImportSummary {
  rows: number;
  withPoster: number;
  withOverview: number;
}

type Raw = Record<string, unknown>;

function field(row: Raw, ...names: string[]): unknown {
  for (const n of names)
    if (row[n] !== undefined && row[n] !== null && row[n] !== "") return row[n];
  return null;
}

function readRows(file: string): { rows: Raw[]; rowLabel: (i: number) => string } {
  const ext = extname(file).toLowerCase();
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  if (ext === ".json") {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new CinerankError(
        "ERR_DATA_MALFORMED",
        `${file}: not valid JSON (${(e as Error).message})`,
      );
    }
    const items = Array.isArray(data) ? data : (data as { items?: unknown })?.items;
    if (!Array.isArray(items))
      throw new CinerankError(
        "ERR_DATA_MALFORMED",
        `${file}: expected a JSON array of movies or { "items": [...] }`,
      );
    return { rows: items as Raw[], rowLabel: (i) => `item ${i}` };
  }
  if (ext === ".csv") return { rows: parseCsv(text, file), rowLabel: (i) => `data row ${i + 1}` };
  throw new CinerankError(
    "ERR_INVALID_ARGUMENT",
    `${file}: metadata files are .csv or .json, got "${ext || "no extension"}"`,
  );
}

/** RFC 4180 CSV (quoted fields may hold commas, doubled quotes and newlines) -> header-keyed rows. */
function parseCsv(text: string, file: string): Raw[] {
  const records: string[][] = [];
  let rec: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === "") quoted = true;
    else if (c === ",") {
      rec.push(cur);
      cur = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      rec.push(cur);
      records.push(rec);
      rec = [];
      cur = "";
    } else cur += c;
  }
  if (quoted)
    throw new CinerankError("ERR_DATA_MALFORMED", `${file}: a quoted field is never closed`);
  if (cur !== "" || rec.length) {
    rec.push(cur);
    records.push(rec);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ""));
  const header = nonEmpty.shift();
  if (!header?.includes("movieId"))
    throw new CinerankError(
      "ERR_DATA_BAD_HEADER",
      `${file}: the header must name a movieId column (got ${JSON.stringify(header ?? [])})`,
    );
  return nonEmpty.map((r) => Object.fromEntries(header.map((h, j) => [h.trim(), r[j] ?? ""])));
}

function intOrNull(v: unknown, where: string, name: string): number | null {
  if (v === null) return null;
  const n = typeof v === "number" ? v : /^\s*\d+\s*$/.test(String(v)) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new CinerankError(
      "ERR_DATA_MALFORMED",
      `${where}: field "${name}" must be a whole number, got ${JSON.stringify(v)}`,
    );
  return n;
}

export async function importMetadataFile(
  conn: DuckDBConnection,
  file: string,
): Promise<MetadataImportSummary> {
  if (!existsSync(file))
    throw new CinerankError("ERR_DATA_MISSING_FILE", `metadata file not found: ${file}`);
  const { rows, rowLabel } = readRows(file);
  const known = new Set(
    (await conn.runAndReadAll("SELECT movie FROM movies")).getRowsJS().map(([m]) => Number(m)),
  );
  const out: StoredMovieMetadata[] = [];
  rows.forEach((row, i) => {
    const where = `${file} ${rowLabel(i)}`;
    if (typeof row !== "object" || row === null)
      throw new CinerankError("ERR_DATA_MALFORMED", `${where}: expected an object with movieId`);
    const movieId = intOrNull(field(row, "movieId"), where, "movieId");
    if (movieId === null)
      throw new CinerankError("ERR_DATA_MALFORMED", `${where}: field "movieId" is missing`);
    if (!known.has(movieId))
      throw new CinerankError(
        "ERR_UNKNOWN_MOVIE",
        `${where}: movieId ${movieId} is not in the dataset`,
      );
    const overview = field(row, "overview");
    const poster = field(row, "posterPath", "poster_path", "posterUrl");
    out.push({
      movieId,
      tmdbId: intOrNull(field(row, "tmdbId", "tmdb_id"), where, "tmdbId"),
      overview: overview === null ? null : String(overview).trim() || null,
      posterPath: poster === null ? null : String(poster).trim() || null,
      status: "ok",
      source: "file",
    });
  });
  await upsertMetadata(conn, out);
  return {
    rows: out.length,
    withPoster: out.filter((r) => r.posterPath).length,
    withOverview: out.filter((r) => r.overview).length,
  };
}
