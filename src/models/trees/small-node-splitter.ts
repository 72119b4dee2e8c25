/**
 * Split finding for small nodes without a histogram: a node of a few dozen rows would pay far
 * more to clear and scan 256 bins per feature than to sort its rows by bin. The forest's deep
 * trees are mostly such nodes. Candidate cuts, tie-breaking (lowest bin, missing-right first)
 * and the gain formula are those of splitter.ts, so a node gets the same split either way (up to
 * float summation order).
 */
import type { SplitParams } from "./splitter.js";

/** Nodes with at most this many rows use the sort-based search (when not subtracting). */
export const SMALL_NODE_ROWS = 64;

/** Best split of feature f over rows idx[start..end), into res at rOff (same record as findBestSplit). */
export function findBestSplitSmall(
  /** codes: row r, feature f at codes[r * rowStep + f * colStep] (row- or column-major) */
  codes: Uint8Array,
  rowStep: number,
  colStep: number,
  gh: Float64Array,
  idx: Int32Array,
  start: number,
  end: number,
  f: number,
  nBins: number,
  missingBin: number,
  G: number,
  H: number,
  p: SplitParams,
  res: Float64Array,
  rOff: number,
  /** scratch of at least end - start entries */
  keys: Int32Array,
): void {
  res[rOff] = Number.NEGATIVE_INFINITY;
  if (nBins < 2) return;
  // keys: bin << 16 | position, sorted -> rows by bin, stable within a bin (positions < 65536)
  let n = 0;
  let mg = 0;
  let mh = 0;
  let mn = 0;
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const b = codes[r * rowStep + f * colStep];
    if (b === missingBin) {
      mg += gh[2 * r];
      mh += gh[2 * r + 1];
      mn++;
    } else keys[n++] = (b << 16) | (i - start);
  }
  if (n < 2) return;
  // insertion sort: n is small, and a typed-array sort call costs more than it saves here
  for (let i = 1; i < n; i++) {
    const v = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > v) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = v;
  }
  const sorted = keys;
  const lambda = p.lambda;
  const mcw = p.minChildWeight;
  const minRows = p.minRowsPerLeaf;
  const N = end - start;
  const eps = Math.max(1e-12 * H, 1e-300);
  const hasMissing = mn > 0;
  const parent = (G * G) / (H + lambda);
  let best = p.gamma + 1e-10 * (parent + 1);
  let bestBin = -1;
  let bestLeft = 0;
  let bGL = 0;
  let bHL = 0;
  let bNL = 0;
  let gl = 0;
  let hl = 0;
  let nl = 0;
  for (let j = 0; j < n - 1; j++) {
    const r = idx[start + (sorted[j] & 0xffff)];
    gl += gh[2 * r];
    hl += gh[2 * r + 1];
    nl++;
    const t = sorted[j] >>> 16;
    if (sorted[j + 1] >>> 16 === t) continue;
    let hr = H - hl;
    if (hl >= mcw && hr >= mcw && hl > eps && hr > eps && nl >= minRows && N - nl >= minRows) {
      const gr = G - gl;
      const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
      if (gain > best) {
        best = gain;
        bestBin = t;
        bestLeft = hasMissing ? 0 : hl >= hr ? 1 : 0;
        bGL = gl;
        bHL = hl;
        bNL = nl;
      }
    }
    if (!hasMissing) continue;
    const gl2 = gl + mg;
    const hl2 = hl + mh;
    const nl2 = nl + mn;
    hr = H - hl2;
    if (hl2 >= mcw && hr >= mcw && hl2 > eps && hr > eps && nl2 >= minRows && N - nl2 >= minRows) {
      const gr = G - gl2;
      const gain = (gl2 * gl2) / (hl2 + lambda) + (gr * gr) / (hr + lambda) - parent;
      if (gain > best) {
        best = gain;
        bestBin = t;
        bestLeft = 1;
        bGL = gl2;
        bHL = hl2;
        bNL = nl2;
      }
    }
  }
  if (bestBin < 0) return;
  res[rOff] = best;
  res[rOff + 1] = bestBin;
  res[rOff + 2] = bestLeft;
  res[rOff + 3] = bGL;
  res[rOff + 4] = bHL;
  res[rOff + 5] = bNL;
}
