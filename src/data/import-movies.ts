/**
 * Movies file -> `movies_raw` (pos, movie, title, year, genres "A|B", genre_mask). Handles the
 * three layouts: CSV (quoted titles), "::" (ml-1m/ml-10m) and ml-100k's u.item, whose 19 genre
 * flags follow the order of u.genre. Genre names are normalised to GENRES (genres.ts).
 */
import { INTEGER, VARCHAR } from "@duckdb/node-api";
import { ChunkWriter } from "./chunk-writer.js";
import { GENRES, genreIndex } from "./genres.js";
import type { ImportContext } from "./import-context.js";
import { scanLines } from "./line-scanner.js";
import { parseUintBytes } from "./parse-number.js";
import type { ReleaseFile } from "./release-files.js";
import { type RowCounts, readRows } from "./row-reader.js";
import { parseTitleYear } from "./title-year.js";

/** ml-100k's genre order when u.genre is absent (as published in its u.genre). */
export const ML100K_GENRES = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children's",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];

function canonical(mask: number): string {
  const names: string[] = [];
  for (let i = 0; i < GENRES.length; i++) if (mask & (1 << i)) names.push(GENRES[i]);
  return names.join("|");
}

/** Reads u.genre ("name|index" lines) into index -> name. */
async function readGenreOrder(file: ReleaseFile | undefined): Promise<string[]> {
  if (!file) return ML100K_GENRES;
  const order: string[] = [];
  await scanLines(file.path, (buf, s, e) => {
    if (s === e) return;
    const text = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString("latin1");
    const bar = text.lastIndexOf("|");
    const idx = Number(text.slice(bar + 1));
    if (bar > 0 && Number.isInteger(idx)) order[idx] = text.slice(0, bar);
  });
  return order;
}

export async function importMovies(ctx: ImportContext, file: ReleaseFile): Promise<RowCounts> {
  const { conn, report, movieIds } = ctx;
  const layout = ctx.release.layout;
  const decode = ctx.decoder(file.name);
  await conn.run(
    "CREATE TABLE movies_raw(pos INTEGER, movie INTEGER, title VARCHAR, year INTEGER, genres VARCHAR, genre_mask INTEGER)",
  );
  const w = await ChunkWriter.open(conn, "movies_raw", [
    INTEGER,
    INTEGER,
    VARCHAR,
    INTEGER,
    VARCHAR,
    INTEGER,
  ]);
  const genreOrder =
    layout === "100k"
      ? await readGenreOrder(ctx.release.files.find((f) => f.role === "genres"))
      : [];
  const flagMasks = genreOrder.map((g) => {
    const i = genreIndex(g);
    return i < 0 ? 0 : 1 << i;
  });
  const spec =
    layout === "csv"
      ? { sep: "," as const, fields: 3, header: true, columns: ["movieId", "title", "genres"] }
      : layout === "dat"
        ? { sep: "::" as const, fields: 3, header: false }
        : { sep: "|" as const, fields: 5 + genreOrder.length, header: false };
  let pos = 0;
  const counts = await readRows(file, spec, report, ctx.onProgress, (buf, f, line) => {
    const b = f.bounds;
    const movie = parseUintBytes(buf, b[0], b[1]);
    if (Number.isNaN(movie) || movie > 2147483647) {
      report.add(file.name, "non_numeric_id", line);
      return false;
    }
    if (movieIds.has(movie)) {
      report.add(file.name, "duplicate_movie", line);
      return false;
    }
    const title = decode(buf, b[2], b[3], line, f.escaped[1] === 1).trim();
    let year = parseTitleYear(title).year;
    let mask = 0;
    if (layout === "100k") {
      for (let g = 0; g < genreOrder.length; g++) {
        const k = 5 + g;
        if (b[2 * k + 1] - b[2 * k] === 1 && buf[b[2 * k]] === 49) mask |= flagMasks[g];
        else if (!(b[2 * k + 1] - b[2 * k] === 1 && buf[b[2 * k]] === 48)) {
          report.add(file.name, "bad_value", line);
          return false;
        }
      }
      if (year === null) {
        // u.item's release date "01-Jan-1995" when the title carries no year
        const m = /(\d{4})\s*$/.exec(decode(buf, b[4], b[5], line));
        if (m) year = Number(m[1]);
      }
    } else {
      const names = decode(buf, b[4], b[5], line, f.escaped[2] === 1).split("|");
      for (const n of names) {
        const i = genreIndex(n);
        if (i >= 0) mask |= 1 << i;
      }
    }
    mask >>>= 0;
    movieIds.add(movie);
    w.row(pos++, movie, title, year, canonical(mask), mask);
    return true;
  });
  w.close();
  return counts;
}
