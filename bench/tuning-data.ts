/**
 * The tuning benchmark's tables: ml-latest-small's train / validation / test feature matrices
 * exactly as `cinerank train --data ../shared/data/ml-latest-small` builds them (stratified split,
 * seed 42, threshold 3.5, collaborative features mf + knn), built once and cached in bench/.cache
 * so that repeated timing runs skip the ~10 s of loading and feature building.
 *
 * File layout (little-endian), one per part:
 *   "CRTM" | u32 headerBytes | header JSON { rows, cols, names } | f32 values[rows*cols]
 *   | u8 labels[rows]
 * Only values, labels and names are kept: tuning never reads the other FeatureMatrix columns.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildFeatures,
  type FeatureMatrix,
  knnFeatureSource,
  loadDataset,
  mfFeatureSource,
  splitDataset,
} from "../src/index.js";

export interface TuningTables {
  train: FeatureMatrix;
  val: FeatureMatrix;
  test: FeatureMatrix;
}

const PARTS = ["train", "val", "test"] as const;

function encode(m: FeatureMatrix): Buffer {
  const header = Buffer.from(JSON.stringify({ rows: m.rows, cols: m.cols, names: m.names }));
  const head = Buffer.alloc(8);
  head.write("CRTM", 0, "latin1");
  head.writeUInt32LE(header.length, 4);
  return Buffer.concat([
    head,
    header,
    Buffer.from(m.values.buffer, m.values.byteOffset, m.values.byteLength),
    Buffer.from(m.labels.buffer, m.labels.byteOffset, m.labels.byteLength),
  ]);
}

function decode(buf: Buffer, file: string): FeatureMatrix {
  if (buf.toString("latin1", 0, 4) !== "CRTM") throw new Error(`${file}: not a CRTM table`);
  const hl = buf.readUInt32LE(4);
  const h = JSON.parse(buf.toString("utf8", 8, 8 + hl)) as {
    rows: number;
    cols: number;
    names: string[];
  };
  const off = 8 + hl;
  const n = h.rows * h.cols;
  // copy into fresh, aligned arrays (the Buffer's offset need not be a multiple of 4)
  const values = new Float32Array(n);
  new Uint8Array(values.buffer).set(buf.subarray(off, off + 4 * n));
  const labels = Uint8Array.from(buf.subarray(off + 4 * n, off + 4 * n + h.rows));
  return {
    rows: h.rows,
    cols: h.cols,
    names: h.names,
    values,
    labels,
    ratings: new Float32Array(h.rows).fill(Number.NaN),
    user: new Int32Array(h.rows),
    movie: new Int32Array(h.rows),
    timestamp: new Float64Array(h.rows),
  };
}

/** The cached tables for `dataDir`, building (and caching) them when missing. */
export async function cachedTuningTables(
  dataDir: string,
  cacheDir: string,
  log: (s: string) => void,
): Promise<TuningTables> {
  const files = PARTS.map((p) => join(cacheDir, `tuning-mls-${p}.bin`));
  if (files.every((f) => existsSync(f))) {
    const [train, val, test] = files.map((f) => decode(readFileSync(f), f));
    return { train, val, test };
  }
  log(`building ml-latest-small features from ${dataDir} (cached in ${cacheDir}) ...`);
  const { dataset } = await loadDataset(dataDir);
  const split = splitDataset(dataset, { kind: "stratified", threshold: 3.5, seed: 42 });
  const built = await buildFeatures(dataset, split, {
    pairSources: [mfFeatureSource(), knnFeatureSource()],
    seed: 42,
  });
  mkdirSync(cacheDir, { recursive: true });
  const m = built.matrices;
  PARTS.forEach((p, i) => {
    writeFileSync(files[i], encode(m[p]));
  });
  return { train: m.train, val: m.val, test: m.test };
}
