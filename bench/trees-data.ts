/**
 * The trees benchmark's table: a seeded synthetic binary task with 47 float features and
 * non-linear interactions plus noise, written once to bench/.cache so that cinerank and the
 * Python competitors read exactly the same rows.
 *
 * Features (x = standard normal unless said): 0-19 normal; 20-29 uniform(0,1); 30-34 integer
 * 0..9; 35-39 normal with 10% NaN; 40-44 normal copies of 0-4 plus noise (correlated); 45
 * lognormal; 46 mostly-constant (0 with 1% ones).
 *
 *   logit = 1.2 x0 x1 + sin(2 x2) + 0.8 [x3 > 0.5][u20 < 0.3] - 0.7 |x4| + 0.5 x5²
 *           + 0.6 (i30 mod 3 == 0) + 0.5 tanh(x35, NaN -> 1) + 0.4 x6 + 0.3 x7 x8 x9
 *           - 0.3 log(x45) + 0.5 gauss(0, 1)   (the last is label noise)
 *   label = 1 when logit + logistic noise > 0
 *
 * File layout (little-endian): "CRBD" | u32 rows | u32 cols | f32 values[rows*cols] | u8 labels[rows]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Rng } from "../src/core/index.js";

export const BENCH_COLS = 47;

export interface BenchTable {
  rows: number;
  cols: number;
  values: Float32Array;
  labels: Uint8Array;
}

export function generateBenchTable(rows: number, seed: number): BenchTable {
  const cols = BENCH_COLS;
  const rng = new Rng(seed);
  const values = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  const x = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < 20; f++) x[f] = rng.normal();
    for (let f = 20; f < 30; f++) x[f] = rng.next();
    for (let f = 30; f < 35; f++) x[f] = rng.int(10);
    for (let f = 35; f < 40; f++) x[f] = rng.next() < 0.1 ? Number.NaN : rng.normal();
    for (let f = 40; f < 45; f++) x[f] = x[f - 40] + 0.5 * rng.normal();
    x[45] = Math.exp(rng.normal());
    x[46] = rng.next() < 0.01 ? 1 : 0;
    const t35 = Number.isNaN(x[35]) ? 1 : Math.tanh(x[35]);
    const logit =
      1.2 * x[0] * x[1] +
      Math.sin(2 * x[2]) +
      (x[3] > 0.5 && x[20] < 0.3 ? 0.8 : 0) -
      0.7 * Math.abs(x[4]) +
      0.5 * x[5] * x[5] +
      (x[30] % 3 === 0 ? 0.6 : 0) +
      0.5 * t35 +
      0.4 * x[6] +
      0.3 * x[7] * x[8] * x[9] -
      0.3 * Math.log(x[45]) +
      0.5 * rng.normal() -
      0.3;
    const u = Math.min(Math.max(rng.next(), 1e-12), 1 - 1e-12);
    labels[r] = logit + Math.log(u / (1 - u)) > 0 ? 1 : 0;
    for (let f = 0; f < cols; f++) values[r * cols + f] = x[f];
  }
  return { rows, cols, values, labels };
}

export function writeBenchTable(path: string, t: BenchTable): void {
  mkdirSync(dirname(path), { recursive: true });
  const head = Buffer.alloc(12);
  head.write("CRBD", 0, "latin1");
  head.writeUInt32LE(t.rows, 4);
  head.writeUInt32LE(t.cols, 8);
  writeFileSync(
    path,
    Buffer.concat([
      head,
      Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength),
      Buffer.from(t.labels),
    ]),
  );
}

export function readBenchTable(path: string): BenchTable {
  const b = readFileSync(path);
  if (b.toString("latin1", 0, 4) !== "CRBD") throw new Error(`${path}: not a bench table`);
  const rows = b.readUInt32LE(4);
  const cols = b.readUInt32LE(8);
  const values = new Float32Array(rows * cols);
  new Uint8Array(values.buffer).set(b.subarray(12, 12 + rows * cols * 4));
  const labels = new Uint8Array(b.subarray(12 + rows * cols * 4, 12 + rows * cols * 4 + rows));
  return { rows, cols, values, labels };
}

/** The cached table at `path`, generating it first when missing. */
export function cachedBenchTable(path: string, rows: number, seed: number): BenchTable {
  if (existsSync(path)) {
    const t = readBenchTable(path);
    if (t.rows === rows) return t;
  }
  const t = generateBenchTable(rows, seed);
  writeBenchTable(path, t);
  return t;
}
