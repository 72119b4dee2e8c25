/**
 * What the per-file importers share while a store is built: the connection to the store being
 * written, the detected release, the report being collected and the movie ids seen so far.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { ProgressReporter } from "../core/index.js";
import type { MovieIdSet } from "./movie-id-set.js";
import type { ReleaseFiles } from "./release-files.js";
import type { FieldDecoder } from "./text-decoder.js";
import type { ReportBuilder } from "./validation-report.js";

export interface ImportContext {
  conn: DuckDBConnection;
  release: ReleaseFiles;
  report: ReportBuilder;
  onProgress: ProgressReporter;
  /** Ids of the movies file; filled by importMovies before ratings/tags/links are read. */
  movieIds: MovieIdSet;
  /** Decoder for text fields of a given file. */
  decoder: (file: string) => FieldDecoder;
}
