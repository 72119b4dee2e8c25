/**
 * Split finding on one feature's histogram: scan the value bins left to right, try the missing
 * rows on each side, and keep the best regularised gain
 *
 *   gain = GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ)      (XGBoost's convention, no ½)
 *
 * A split is allowed when both sides have hessian >= minChildWeight (and > 0), at least
 * minRowsPerLeaf rows (when counts are tracked), and gain > gamma. When the node has no missing
 * rows for the feature, missing values at prediction time follow the heavier side.
 *
 * Result record per (set, feature), 6 doubles at res[(set * cols + f) * 6]:
 *   [gain (-Infinity = none), bin t (x-bin <= t goes left), defaultLeft 0/1, GL, HL, NL]
 */
import type { HistLayout } from "./histogram.js";

export interface SplitParams {
  /** L2 regularisation on leaf values. */
  lambda: number;
  /** Minimum gain for a split. */
  gamma: number;
  /** Minimum hessian sum per child. */
  minChildWeight: number;
  /** Minimum rows per child (needs the count channel when > 1). */
  minRowsPerLeaf: number;
}

export const RES_FIELDS = 6;

/** Best split of feature f for a node with totals (G, H, N); written to res at rOff. */
export function findBestSplit(
  hist: Float64Array,
  off: number,
  layout: HistLayout,
  f: number,
  nBins: number,
  missingBin: number,
  G: number,
  H: number,
  N: number,
  p: SplitParams,
  res: Float64Array,
  rOff: number,
): void {
  res[rOff] = Number.NEGATIVE_INFINITY;
  if (nBins < 2) return;
  const ch = layout.ch;
  const counted = ch === 3;
  const fo = off + f * layout.featStride;
  const lambda = p.lambda;
  const mcw = p.minChildWeight;
  const minRows = counted ? p.minRowsPerLeaf : 0;
  // A side whose hessian is below this is treated as empty (absorbs subtraction round-off).
  const eps = Math.max(1e-12 * H, 1e-300);
  let mg = 0;
  let mh = 0;
  let mn = 0;
  if (missingBin >= 0) {
    const m = fo + missingBin * ch;
    mg = hist[m];
    mh = hist[m + 1];
    mn = counted ? hist[m + 2] : 0;
  }
  const hasMissing = mh > eps || mn > 0;
  const parent = (G * G) / (H + lambda);
  // Gains within round-off of zero (e.g. a pure node) are no split.
  let best = p.gamma + 1e-10 * (parent + 1);
  let bestBin = -1;
  let bestLeft = 0;
  let bGL = 0;
  let bHL = 0;
  let bNL = 0;
  let gl = 0;
  let hl = 0;
  let nl = 0;
  for (let t = 0; t < nBins - 1; t++) {
    const k = fo + t * ch;
    // an empty bin after a non-empty one gives the same partitions as the previous cut
    if (hist[k + 1] === 0 && hl > 0 && (!counted || hist[k + 2] === 0)) continue;
    gl += hist[k];
    hl += hist[k + 1];
    if (counted) nl += hist[k + 2];
    // missing rows go right
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
    // missing rows go left
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
