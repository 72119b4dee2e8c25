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
  const sample = sampleRows(rows, EDGE_SAMPLE_ROWS, rng);
  const edges: Float32Array[] = [];
  const nBins = new Int32Array(cols);
  const missingBin = new Int32Array(cols);
  const column = new Float32Array(sample.length);
  for (let f = 0; f < cols; f++) {
    let m = 0;
    let missing = false;
    for (let i = 0; i < sample.length; i++) {
      const v = values[sample[i] * cols + f];
      if (!Number.isNaN(v)) column[m++] = v;
      else missing = true;
    }
    // NaNs outside the sample still need a bin: scan the rest only when the sample had none.
    if (!missing && sample.length < rows) missing = hasNaN(values, rows, cols, f);
    const limit = Math.min(maxBins, missing ? 255 : 256);
    const e = quantileEdges(column.subarray(0, m).sort(), limit);
    edges.push(e);
    nBins[f] = e.length + 1;
    missingBin[f] = missing ? nBins[f] : -1;
  }
  return { cols, edges, nBins, missingBin };
}

/**
 * Bin codes for rows [rowStart, rowEnd) of a table with the mapper's columns. A NaN in a feature
 * that had none when fitting goes to bin 0 (such rows only appear outside training).
 */
export function applyBins(
  mapper: BinMapper,
  values: Float32Array,
  rows: number,
  out: Uint8Array = new Uint8Array(rows * mapper.cols),
  rowStart = 0,
  rowEnd = rows,
): Uint8Array {
  const cols = mapper.cols;
  const miss = new Int32Array(cols);
  for (let f = 0; f < cols; f++) miss[f] = Math.max(0, mapper.missingBin[f]);
  for (let r = rowStart; r < rowEnd; r++) {
    const base = r * cols;
    for (let f = 0; f < cols; f++) {
      const v = values[base + f];
      if (Number.isNaN(v)) {
        out[base + f] = miss[f];
        continue;
      }
      const e = mapper.edges[f];
      // first b with v <= e[b]; e.length when above every edge
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v <= e[mid]) hi = mid;
        else lo = mid + 1;
      }
      out[base + f] = lo;
    }
  }
  return out;
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
      const q = Math.floor((k * m) / limit);
      const lo = sorted[q - 1];
      const hi = sorted[q];
      if (lo === hi) continue;
      const c = cut(lo, hi);
      if (out.length === 0 || c > out[out.length - 1]) out.push(c);
    }
  }
  return Float32Array.from(out);
}

/** A float32 cut point with lo <= cut < hi (so lo goes left and hi goes right). */
function cut(lo: number, hi: number): number {
  const mid = Math.fround(lo + (hi - lo) / 2);
  return mid >= hi || mid < lo ? lo : mid;
}

function hasNaN(values: Float32Array, rows: number, cols: number, f: number): boolean {
  for (let r = 0; r < rows; r++) {
    const v = values[r * cols + f];
    if (Number.isNaN(v)) return true;
  }
  return false;
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
