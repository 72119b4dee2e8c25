/**
 * Quantile binning: each feature's values are mapped to at most `maxBins` ordered value bins
 * (edges fitted on a seeded sample of the training rows), plus one bin for missing (NaN) values.
 * The tree engine only ever sees the bin codes; thresholds go back to floats when a tree is
 * packed, so a value `x` goes left at a split on bin `t` exactly when `x <= edges[f][t]`.
 *
 *   bins[r * cols + f]  = bin code of feature f in row r (Uint8, row-major like the values)
 *   value bins          : 0 .. nBins[f]-1, bin b holds edges[f][b-1] < x <= edges[f][b]
 *   missing bin         : missingBin[f] = nBins[f] when the training rows had NaNs, else -1
 *
 * A feature with NaNs keeps at most 255 value bins so that its missing bin still fits a byte.
 */
import type { Rng } from "../../core/index.js";

export interface BinMapper {
  cols: number;
  /** Upper edges per feature, ascending; length nBins[f] - 1 (the last bin is open-ended). */
  edges: Float32Array[];
  /** Value bins per feature (1 = constant feature, never split). */
  nBins: Int32Array;
  /** Missing-value bin per feature, or -1 when training rows had no NaN for it. */
  missingBin: Int32Array;
}

/** Rows used to fit the edges; more adds time but hardly moves the quantiles. */
const EDGE_SAMPLE_ROWS = 200_000;

/** Fit bin edges on `rows` rows of a row-major table (NaN = missing). */
export function fitBins(
  values: Float32Array,
  rows: number,
  cols: number,
  maxBins: number,
  rng: Rng,
): BinMapper {
  const sample = edgeSample(rows, rng);
  // NaNs outside the sample still need a bin: one pass over all rows finds them
  const nan = new Uint8Array(cols);
  if (sample.length < rows) nanColumns(values, cols, 0, rows, nan);
  const edges = fitEdgeRange(values, cols, sample, 0, cols, maxBins, nan);
  const nBins = new Int32Array(cols);
  const missingBin = new Int32Array(cols);
  for (let f = 0; f < cols; f++) {
    nBins[f] = edges[f].length + 1;
    missingBin[f] = nan[f] === 1 ? nBins[f] : -1;
  }
  return { cols, edges, nBins, missingBin };
}

/** The sorted rows fitBins fits the edges on (a seeded sample, or all rows when few). */
export function edgeSample(rows: number, rng: Rng): Int32Array {
  return sampleRows(rows, EDGE_SAMPLE_ROWS, rng);
}

/**
 * Edges of features [fa, fb) fitted on the `sample` rows. `nan[f]` says whether column f has a
 * NaN in a training row outside the sample; a NaN inside the sample is found here, and in either
 * case nan[f] is set to 1 on return (the feature gets a missing bin). The per-feature work is
 * independent, so threads may fit disjoint ranges (boosting's EDGES job, workspace.ts).
 */
export function fitEdgeRange(
  values: Float32Array,
  cols: number,
  sample: Int32Array,
  fa: number,
  fb: number,
  maxBins: number,
  nan: Uint8Array,
): Float32Array[] {
  const m = sample.length;
  const nf = fb - fa;
  // one row-wise pass gathers the range's columns of the sample (feature fa + j at j * m)
  const colsBuf = new Float32Array(nf * m);
  for (let i = 0; i < m; i++) {
    const o = sample[i] * cols + fa;
    for (let j = 0; j < nf; j++) colsBuf[j * m + i] = values[o + j];
  }
  const keys = new Uint32Array(m);
  const tmp = new Uint32Array(m);
  const sorted = new Float32Array(m);
  const out: Float32Array[] = [];
  for (let j = 0; j < nf; j++) {
    const col = colsBuf.subarray(j * m, (j + 1) * m);
    const k = sortedFinite(col, keys, tmp, sorted);
    if (k < m) nan[fa + j] = 1;
    const limit = Math.min(maxBins, nan[fa + j] === 1 ? 255 : 256);
    out.push(quantileEdges(sorted.subarray(0, k), limit));
  }
  return out;
}

/**
 * Bin codes for rows [rowStart, rowEnd) of a table with the mapper's columns, written with row
 * stride `stride` (>= cols; the histogram kernel reads 4 codes at a time). A NaN in a feature
 * that had none when fitting goes to bin 0 (such rows only appear outside training).
 */
export function applyBins(
  mapper: BinMapper,
  values: Float32Array,
  rows: number,
  out: Uint8Array = new Uint8Array(rows * mapper.cols),
  stride = mapper.cols,
  rowStart = 0,
  rowEnd = rows,
  /** Optional column-major copy: outT[f * rows + r]. */
  outT: Uint8Array | null = null,
): Uint8Array {
  const t = binTable(mapper);
  applyBinTable(t.table, t.miss, mapper.cols, values, rows, out, stride, rowStart, rowEnd, outT);
  return out;
}

/**
 * The mapper as a search table: edges padded to 256 per feature with +Infinity (table[f * 256
 * + k]), and the code of a NaN per feature (bin 0 when training had none).
 */
export function binTable(mapper: BinMapper): { table: Float32Array; miss: Int32Array } {
  const cols = mapper.cols;
  const miss = new Int32Array(cols);
  const table = new Float32Array(cols * 256).fill(Number.POSITIVE_INFINITY);
  for (let f = 0; f < cols; f++) {
    miss[f] = Math.max(0, mapper.missingBin[f]);
    table.set(mapper.edges[f], f * 256);
  }
  return { table, miss };
}

/** applyBins' kernel over rows [rowStart, rowEnd) with a binTable (worker threads share it). */
export function applyBinTable(
  table: Float32Array,
  miss: Int32Array,
  cols: number,
  values: Float32Array,
  rows: number,
  out: Uint8Array,
  stride: number,
  rowStart: number,
  rowEnd: number,
  outT: Uint8Array | null,
): void {
  // A fixed 8-step search without data-dependent branches (the ordinary binary search
  // mispredicts about half its steps); the count of edges < v is the bin. Two rows go side by
  // side: each search is a chain of dependent loads, and two independent chains overlap (25%
  // less time than one row at a time).
  let r = rowStart;
  for (; r + 1 < rowEnd; r += 2) {
    const base = r * cols;
    const ob = r * stride;
    for (let f = 0; f < cols; f++) {
      const v = values[base + f];
      const w = values[base + cols + f];
      const t = f * 256;
      let a = t;
      let b = t;
      a += 128 * +(v > table[a + 127]);
      b += 128 * +(w > table[b + 127]);
      a += 64 * +(v > table[a + 63]);
      b += 64 * +(w > table[b + 63]);
      a += 32 * +(v > table[a + 31]);
      b += 32 * +(w > table[b + 31]);
      a += 16 * +(v > table[a + 15]);
      b += 16 * +(w > table[b + 15]);
      a += 8 * +(v > table[a + 7]);
      b += 8 * +(w > table[b + 7]);
      a += 4 * +(v > table[a + 3]);
      b += 4 * +(w > table[b + 3]);
      a += 2 * +(v > table[a + 1]);
      b += 2 * +(w > table[b + 1]);
      a += +(v > table[a]);
      b += +(w > table[b]);
      // NaN compares false everywhere: its code comes from miss[] instead
      const ca = Number.isNaN(v) ? miss[f] : a - t;
      const cb = Number.isNaN(w) ? miss[f] : b - t;
      out[ob + f] = ca;
      out[ob + stride + f] = cb;
      if (outT) {
        outT[f * rows + r] = ca;
        outT[f * rows + r + 1] = cb;
      }
    }
  }
  if (r < rowEnd) {
    const base = r * cols;
    const ob = r * stride;
    for (let f = 0; f < cols; f++) {
      const v = values[base + f];
      const t = f * 256;
      let lo = t;
      for (let step = 128; step >= 1; step >>= 1) lo += step * +(v > table[lo + step - 1]);
      const c = Number.isNaN(v) ? miss[f] : lo - t;
      out[ob + f] = c;
      if (outT) outT[f * rows + r] = c;
    }
  }
}

/** The mapper widened to `stride` columns; the extra columns are constant (never split). */
export function padMapper(m: BinMapper, stride: number): BinMapper {
  const edges = m.edges.slice();
  const nBins = new Int32Array(stride).fill(1);
  const missingBin = new Int32Array(stride).fill(-1);
  nBins.set(m.nBins);
  missingBin.set(m.missingBin);
  for (let f = m.cols; f < stride; f++) edges.push(new Float32Array(0));
  return { cols: stride, edges, nBins, missingBin };
}

/** Edges splitting sorted values into at most `limit` bins of about equal count. */
export function quantileEdges(sorted: Float32Array, limit: number): Float32Array {
  const m = sorted.length;
  const out: number[] = [];
  if (m === 0 || limit < 2) return new Float32Array(0);
  let distinct = 1;
  for (let i = 1; i < m && distinct <= limit; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= limit) {
    // few values: one bin each, cut halfway between neighbours
    for (let i = 1; i < m; i++)
      if (sorted[i] !== sorted[i - 1]) out.push(cut(sorted[i - 1], sorted[i]));
  } else {
    for (let k = 1; k < limit; k++) {
      let q = Math.floor((k * m) / limit);
      // A quantile inside a run of equal values cuts at the end of the run. Skipping it instead
      // lost every edge of tied columns: a per-user feature repeats once per rating, and
      // ml-latest-small's user_count_log came out as one bin (constant, never split).
      while (q < m && sorted[q] === sorted[q - 1]) q++;
      if (q >= m) break;
      const c = cut(sorted[q - 1], sorted[q]);
      if (out.length === 0 || c > out[out.length - 1]) out.push(c);
    }
  }
  return Float32Array.from(out);
}

/**
 * The non-NaN values of `col`, sorted ascending into out[0..k); returns k. LSD radix sort (three
 * 11-bit digits) on the float bits mapped to order-preserving unsigned keys: a few ms for 200k
 * values, where TypedArray#sort takes ~20.
 */
function sortedFinite(
  col: Float32Array,
  keys: Uint32Array,
  tmp: Uint32Array,
  out: Float32Array,
): number {
  const bits = new Uint32Array(col.buffer, col.byteOffset, col.length);
  // three 11-bit digits; all three digit counts are taken while the keys are made
  const count = new Uint32Array(3 * 2048);
  let k = 0;
  for (let i = 0; i < col.length; i++) {
    if (Number.isNaN(col[i])) continue;
    const b = bits[i];
    // negative floats: flip all bits; positive: flip the sign bit
    const key = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[k++] = key;
    count[key & 2047]++;
    count[2048 + ((key >>> 11) & 2047)]++;
    count[4096 + (key >>> 22)]++;
  }
  let src = keys;
  let dst = tmp;
  for (let pass = 0; pass < 3; pass++) {
    const shift = 11 * pass;
    const o = 2048 * pass;
    let sum = 0;
    for (let d = o; d < o + 2048; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < k; i++) {
      const key = src[i];
      dst[count[o + ((key >>> shift) & 2047)]++] = key;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < k; i++) {
    const key = src[i];
    outBits[i] = key & 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
  }
  return k;
}

/** A float32 cut point with lo <= cut < hi (so lo goes left and hi goes right). */
function cut(lo: number, hi: number): number {
  const mid = Math.fround(lo + (hi - lo) / 2);
  return mid >= hi || mid < lo ? lo : mid;
}

/** Sets nan[f] = 1 for each column f with a NaN in rows [r0, r1) (never clears a flag). */
export function nanColumns(
  values: Float32Array,
  cols: number,
  r0: number,
  r1: number,
  nan: Uint8Array,
): void {
  for (let r = r0; r < r1; r++) {
    const o = r * cols;
    for (let f = 0; f < cols; f++) if (Number.isNaN(values[o + f])) nan[f] = 1;
  }
}

/** Sorted sample of at most `k` row indices (all rows when rows <= k). */
function sampleRows(rows: number, k: number, rng: Rng): Int32Array {
  if (rows <= k) {
    const all = new Int32Array(rows);
    for (let i = 0; i < rows; i++) all[i] = i;
    return all;
  }
  // Selection sampling (Knuth's algorithm S): sorted output, one pass, seeded.
  const out = new Int32Array(k);
  let chosen = 0;
  for (let r = 0; r < rows && chosen < k; r++) {
    if ((rows - r) * rng.next() < k - chosen) out[chosen++] = r;
  }
  return out;
}
