/**
 * Writes the feature table (userId, movieId, timestamp, part, label, then every feature by name)
 * to Parquet or CSV through DuckDB: rows go in as column chunks of 2048 rows through an appender
 * (no per-row INSERT), DuckDB's COPY writes the file to a temporary name, then it is renamed.
 *
 *   chunk column c < 5: ids / timestamp / part / label;  c >= 5: feature c - 5 (FLOAT)
 */
import { rename, rm } from "node:fs/promises";
import { extname } from "node:path";
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBDoubleType,
  DuckDBFloatType,
  DuckDBInstance,
  DuckDBIntegerType,
  type DuckDBType,
  DuckDBUTinyIntType,
  DuckDBVarCharType,
} from "@duckdb/node-api";
import { CinerankError, type ProgressReporter, tempPathFor } from "../core/index.js";
import type { Dataset } from "../data/index.js";
import type { FeatureMatrix } from "./feature-matrix.js";
import type { FeatureSpec } from "./feature-spec.js";

const CHUNK = 2048;

export interface FeatureTableOptions {
  /** Undo the standardisation (write raw feature values). Default false: what models see. */
  unscaled?: boolean;
  onProgress?: ProgressReporter;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

async function appendMatrix(
  conn: DuckDBConnection,
  dataset: Dataset,
  spec: FeatureSpec,
  m: FeatureMatrix,
  part: string,
  types: DuckDBType[],
  o: FeatureTableOptions,
  done: { rows: number; total: number },
): Promise<void> {
  const appender = await conn.createAppender("features");
  const cols = m.cols;
  const scaleMean = spec.scaler.mean;
  const scaleStd = spec.scaler.std;
  for (let from = 0; from < m.rows; from += CHUNK) {
    const n = Math.min(CHUNK, m.rows - from);
    const chunk = DuckDBDataChunk.create(types, n);
    const uid = chunk.getColumnVector(0);
    const mid = chunk.getColumnVector(1);
    const ts = chunk.getColumnVector(2);
    const pt = chunk.getColumnVector(3);
    const lb = chunk.getColumnVector(4);
    for (let r = 0; r < n; r++) {
      const i = from + r;
      uid.setItem(r, dataset.users.id(m.user[i]));
      mid.setItem(r, dataset.movies.id(m.movie[i]));
      ts.setItem(r, m.timestamp[i]);
      pt.setItem(r, part);
      lb.setItem(r, m.labels[i]);
    }
    for (const v of [uid, mid, ts, pt, lb]) v.flush();
    for (let c = 0; c < cols; c++) {
      const v = chunk.getColumnVector(5 + c);
      const mean = o.unscaled ? scaleMean[c] : 0;
      const std = o.unscaled ? scaleStd[c] : 1;
      for (let r = 0; r < n; r++) v.setItem(r, m.values[(from + r) * cols + c] * std + mean);
      v.flush();
    }
    appender.appendDataChunk(chunk);
    done.rows += n;
    if ((done.rows & 0x3ffff) < CHUNK) {
      o.onProgress?.({ stage: "write table", done: done.rows, total: done.total, unit: "rows" });
    }
  }
  appender.closeSync();
}

/** Write train, val and test rows (in that order) to `path` (.parquet or .csv). */
export async function writeFeatureTable(
  path: string,
  dataset: Dataset,
  spec: FeatureSpec,
  matrices: { train: FeatureMatrix; val: FeatureMatrix; test: FeatureMatrix },
  o: FeatureTableOptions = {},
): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== ".parquet" && ext !== ".csv") {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--out ${path}: expected a .parquet or .csv file name`,
    );
  }
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const tmp = tempPathFor(path);
  try {
    const featureCols = spec.names.map((n) => `"${n}" FLOAT`).join(", ");
    await conn.run(
      `CREATE TABLE features (userId INTEGER, movieId INTEGER, "timestamp" DOUBLE, part VARCHAR, label UTINYINT, ${featureCols})`,
    );
    const types: DuckDBType[] = [
      DuckDBIntegerType.instance,
      DuckDBIntegerType.instance,
      DuckDBDoubleType.instance,
      DuckDBVarCharType.instance,
      DuckDBUTinyIntType.instance,
      ...spec.names.map(() => DuckDBFloatType.instance),
    ];
    const done = { rows: 0, total: matrices.train.rows + matrices.val.rows + matrices.test.rows };
    await appendMatrix(conn, dataset, spec, matrices.train, "train", types, o, done);
    await appendMatrix(conn, dataset, spec, matrices.val, "val", types, o, done);
    await appendMatrix(conn, dataset, spec, matrices.test, "test", types, o, done);
    o.onProgress?.({ stage: "write table", done: done.rows, total: done.total, unit: "rows" });
    const format = ext === ".parquet" ? "FORMAT parquet" : "FORMAT csv, HEADER true";
    await conn.run(`COPY features TO ${sqlString(tmp)} (${format})`);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
