/**
 * loadDataset: the one entry point from a MovieLens folder to the canonical Dataset. Detects the
 * release, reuses the folder's DuckDB store when it is complete and matches the files (same
 * names, sizes, mtimes), else rebuilds it, then reads the Dataset from the store. `strict` turns
 * any malformed row into an ERR_DATA_MALFORMED error instead of a skip.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { noProgress, type ProgressReporter } from "../core/index.js";
import { buildStore, releaseFingerprint } from "./build-store.js";
import type { Dataset } from "./dataset.js";
import { openStore } from "./open-store.js";
import { readDataset } from "./read-dataset.js";
import { detectRelease, type ReleaseFiles } from "./release-files.js";
import { throwIfBusy } from "./store-busy.js";
import { defaultStorePath } from "./store-location.js";
import { STORE_FORMAT } from "./store-schema.js";
import { assertStrict, type ValidationReport } from "./validation-report.js";

export interface LoadOptions {
  /** Fail on the first kind of malformed row instead of skipping and reporting it. */
  strict?: boolean;
  onProgress?: ProgressReporter;
  /** Store file path (default: defaultStorePath(dir), a per-user cache). */
  store?: string;
  /** Rebuild the store even when it is complete and current. */
  rebuild?: boolean;
}

export interface StoreInfo {
  /** The DuckDB file (open it with openStore for SQL). */
  path: string;
  /** True when an existing complete store was used as is. */
  reused: boolean;
  /** Seconds spent building the store (0 when reused). */
  buildSeconds: number;
  /** Seconds spent reading the Dataset from the store. */
  readSeconds: number;
}

export interface LoadResult {
  dataset: Dataset;
  report: ValidationReport;
  store: StoreInfo;
  /** What was detected in the folder (layout, files found, missing optional files). */
  release: ReleaseFiles;
}

interface StoreState {
  complete: boolean;
  fingerprint?: string;
  report?: ValidationReport;
}

async function storeState(path: string): Promise<StoreState> {
  if (!existsSync(path)) return { complete: false };
  try {
    const s = await openStore(path);
    try {
      const rows = (await s.conn.runAndReadAll("SELECT key, value FROM meta")).getRowsJS();
      const meta = new Map(rows.map(([k, v]) => [String(k), String(v)]));
      const complete = meta.get("complete") === "1" && meta.get("format") === STORE_FORMAT;
      return {
        complete,
        fingerprint: meta.get("fingerprint"),
        report: complete ? JSON.parse(meta.get("report")!) : undefined,
      };
    } finally {
      s.close();
    }
  } catch (e) {
    throwIfBusy(e, path);
    return { complete: false }; // unreadable store (e.g. from another DuckDB version): rebuild
  }
}

export async function loadDataset(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const onProgress = opts.onProgress ?? noProgress;
  const release = detectRelease(dir);
  const path = resolve(opts.store ?? defaultStorePath(release.dir));
  const fingerprint = releaseFingerprint(release);
  const state = opts.rebuild ? { complete: false } : await storeState(path);
  let report: ValidationReport;
  let reused = false;
  let buildSeconds = 0;
  if (state.complete && state.fingerprint === fingerprint && state.report) {
    report = state.report;
    reused = true;
  } else {
    const t0 = performance.now();
    report = await buildStore(release, path, fingerprint, onProgress);
    buildSeconds = (performance.now() - t0) / 1000;
  }
  if (opts.strict) assertStrict(report);
  const t1 = performance.now();
  let s: Awaited<ReturnType<typeof openStore>>;
  try {
    s = await openStore(path);
  } catch (e) {
    throwIfBusy(e, path);
    throw e;
  }
  let dataset: Dataset;
  try {
    dataset = await readDataset(s.conn, release.release, release.layout, onProgress);
  } finally {
    s.close();
  }
  const readSeconds = (performance.now() - t1) / 1000;
  return { dataset, report, store: { path, reused, buildSeconds, readSeconds }, release };
}
