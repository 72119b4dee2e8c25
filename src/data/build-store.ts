/**
 * Builds a data folder's DuckDB store from its files. The store is written under a temporary
 * name and renamed into place only after every table and the `complete` meta key are written
 * and checkpointed, so an interrupted load never leaves a store that looks complete. Ratings
 * added to a previous store (`ratings_added`) and fetched movie metadata are carried over.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { CinerankError, type ProgressReporter, tempPathFor } from "../core/index.js";
import type { ImportContext } from "./import-context.js";
import { importMovies } from "./import-movies.js";
import { importRatings } from "./import-ratings.js";
import {
  importGenomeScores,
  importGenomeTags,
  importLinks,
  importTags,
  importUsers,
} from "./import-side-tables.js";
import { carryOverMetadata } from "./metadata-store.js";
import { MovieIdSet } from "./movie-id-set.js";
import type { FileRole, ReleaseFiles } from "./release-files.js";
import type { RowCounts } from "./row-reader.js";
import { throwIfBusy } from "./store-busy.js";
import { EMPTY_TABLES, META_DDL, RATINGS_ADDED_DDL, STORE_FORMAT } from "./store-schema.js";
import { fieldDecoder } from "./text-decoder.js";
import { ReportBuilder, type ValidationReport } from "./validation-report.js";

/** Identifies the files' content (names, sizes, mtimes) and the store format. */
export function releaseFingerprint(release: ReleaseFiles): string {
  const parts = release.files.map((f) => {
    const st = statSync(f.path);
    return [f.name, st.size, Math.round(st.mtimeMs)];
  });
  return createHash("sha256")
    .update(JSON.stringify([STORE_FORMAT, release.layout, release.release, parts]))
    .digest("hex")
    .slice(0, 32);
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

type Importer = (ctx: ImportContext, file: ReleaseFiles["files"][number]) => Promise<RowCounts>;

const ORDER: [FileRole, Importer | null][] = [
  ["movies", importMovies],
  ["ratings", importRatings],
  ["tags", importTags],
  ["links", importLinks],
  ["users", importUsers],
  ["genome-tags", importGenomeTags],
  ["genome-scores", importGenomeScores],
  ["genres", null],
];

export async function buildStore(
  release: ReleaseFiles,
  storePath: string,
  fingerprint: string,
  onProgress: ProgressReporter,
): Promise<ValidationReport> {
  mkdirSync(dirname(storePath), { recursive: true });
  const tmp = tempPathFor(storePath);
  const cleanup = () => {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
  };
  const instance = await DuckDBInstance.create(tmp);
  let closed = false;
  const conn = await instance.connect();
  // lets long read_csv queries report their progress (fast-csv-ratings.ts polls it)
  await conn.run("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
  try {
    const report = new ReportBuilder();
    report.missingOptional.push(...release.missingOptional);
    const ctx: ImportContext = {
      conn,
      release,
      report,
      onProgress,
      movieIds: new MovieIdSet(),
      decoder: (file) => fieldDecoder(release.encoding, file),
    };
    for (const [role, importer] of ORDER) {
      const file = release.files.find((f) => f.role === role);
      if (!file || !importer) continue;
      const counts = await importer(ctx, file);
      report.files.push({ file: file.name, role, lines: counts.lines, rows: counts.rows });
    }
    const nRatings = report.files.find((f) => f.role === "ratings")?.rows ?? 0;
    if (nRatings === 0) {
      const name = release.files.find((f) => f.role === "ratings")?.name;
      throw new CinerankError(
        "ERR_DATA_EMPTY",
        `${name}: no valid ratings (expected at least one well-formed rating row)`,
        { file: name },
      );
    }
    await conn.run(
      "CREATE TABLE movies AS SELECT pos, movie, title, year, CASE WHEN genres = '' THEN []::VARCHAR[] ELSE string_split(genres, '|') END AS genres, genre_mask FROM movies_raw ORDER BY pos; DROP TABLE movies_raw",
    );
    const existing = new Set(
      (await conn.runAndReadAll("SELECT table_name FROM duckdb_tables()"))
        .getRowsJS()
        .map((r) => String(r[0])),
    );
    for (const [table, ddl] of Object.entries(EMPTY_TABLES))
      if (!existing.has(table)) await conn.run(ddl);
    await conn.run(RATINGS_ADDED_DDL);
    if (existsSync(storePath)) await carryOverAdded(conn, storePath);
    const built = report.build();
    await conn.run(META_DDL);
    const meta: [string, string][] = [
      ["format", STORE_FORMAT],
      ["release", release.release],
      ["layout", release.layout],
      ["source_dir", release.dir],
      ["fingerprint", fingerprint],
      ["report", JSON.stringify(built)],
      ["created_at", new Date().toISOString()],
    ];
    for (const [k, v] of meta)
      await conn.run(`INSERT INTO meta VALUES (${sqlString(k)}, ${sqlString(v)})`);
    // written last: a store without it is never used
    await conn.run("INSERT INTO meta VALUES ('complete', '1')");
    await conn.run("CHECKPOINT");
    conn.closeSync();
    instance.closeSync();
    closed = true;
    rmSync(`${storePath}.wal`, { force: true });
    renameSync(tmp, storePath);
    return built;
  } catch (e) {
    if (!closed) {
      conn.closeSync();
      instance.closeSync();
    }
    cleanup();
    throw e;
  }
}

/** Copies ratings_added from the previous store (if it has one and can be read). */
async function carryOverAdded(conn: ImportContext["conn"], oldPath: string): Promise<void> {
  try {
    await conn.run(`ATTACH ${sqlString(oldPath)} AS old_store (READ_ONLY)`);
  } catch (e) {
    // a store another process holds must not be replaced (its added ratings would be lost)
    throwIfBusy(e, oldPath);
    return; // unreadable old store (e.g. another DuckDB version): nothing to carry over
  }
  try {
    const has = await conn.runAndReadAll(
      "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'old_store' AND table_name = 'ratings_added'",
    );
    if (Number(has.getRowsJS()[0][0]) > 0) {
      await conn.run(
        "INSERT INTO ratings_added SELECT a.user, a.movie, a.rating, a.timestamp, a.added_at FROM old_store.ratings_added a WHERE a.movie IN (SELECT movie FROM movies)",
      );
    }
    await carryOverMetadata(conn, "old_store");
  } finally {
    await conn.run("DETACH old_store");
  }
}
