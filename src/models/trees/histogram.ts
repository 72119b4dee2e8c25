/**
 * Gradient/hessian histograms: per (feature, bin) sums over the rows of one node. The grower
 * builds the smaller child's histogram from its rows and gets the larger child's as
 * parent - smaller, so each level costs at most half a pass over the rows.
 *
 * One histogram (a "slot") in a Float64Array, `ch` channels per bin (g, h[, row count]):
 *
 *   off + f * featStride + b * ch + 0 = sum of gradients of rows in node with bin(f) = b
 *   off + f * featStride + b * ch + 1 = sum of hessians
 *   off + f * featStride + b * ch + 2 = row count (only when ch = 3, i.e. minRowsPerLeaf > 1)
 *
 * featStride = 256 * ch: bins 0..255 cover every value bin and the missing bin (binning.ts).
 * Rows are visited in index-buffer order, so a feature's sums do not depend on which thread
 * builds them: any split of the features over threads gives bit-identical histograms.
 */

export const BINS_PER_FEATURE = 256;

export interface HistLayout {
  cols: number;
  /** Channels per bin: 2 (gradient, hessian) or 3 (+ row count). */
  ch: number;
  featStride: number;
  /** Doubles per histogram. */
  size: number;
}

export function histLayout(cols: number, withCount: boolean): HistLayout {
  const ch = withCount ? 3 : 2;
  const featStride = BINS_PER_FEATURE * ch;
  return { cols, ch, featStride, size: cols * featStride };
}

/**
 * Histogram of rows idx[start..end) for the features feats[a..b) into the slot at `off`
 * (those features' bins are cleared first). gh holds (gradient, hessian) pairs per row.
 */
export function buildHistogram(
  hist: Float64Array,
  off: number,
  layout: HistLayout,
  bins: Uint8Array,
  gh: Float64Array,
  idx: Int32Array,
  start: number,
  end: number,
  feats: Int32Array,
  a: number,
  b: number,
): void {
  const { cols, featStride } = layout;
  for (let j = a; j < b; j++) {
    const o = off + feats[j] * featStride;
    hist.fill(0, o, o + featStride);
  }
  if (b <= a) return;
  // Contiguous feature runs (the usual case) get a loop without the feats[] indirection.
  const contiguous = feats[b - 1] - feats[a] === b - 1 - a;
  if (layout.ch === 2) {
    if (contiguous)
      build2Range(
        hist,
        off,
        featStride,
        bins,
        cols,
        gh,
        idx,
        start,
        end,
        feats[a],
        feats[b - 1] + 1,
      );
    else build2List(hist, off, featStride, bins, cols, gh, idx, start, end, feats, a, b);
  } else {
    build3List(hist, off, featStride, bins, cols, gh, idx, start, end, feats, a, b);
  }
}

function build2Range(
  hist: Float64Array,
  off: number,
  featStride: number,
  bins: Uint8Array,
  cols: number,
  gh: Float64Array,
  idx: Int32Array,
  start: number,
  end: number,
  f0: number,
  f1: number,
): void {
  const o0 = off + f0 * featStride;
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * cols;
    let o = o0;
    for (let f = f0; f < f1; f++) {
      const k = o + (bins[base + f] << 1);
      hist[k] += g;
      hist[k + 1] += h;
      o += featStride;
    }
  }
}

function build2List(
  hist: Float64Array,
  off: number,
  featStride: number,
  bins: Uint8Array,
  cols: number,
  gh: Float64Array,
  idx: Int32Array,
  start: number,
  end: number,
  feats: Int32Array,
  a: number,
  b: number,
): void {
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * cols;
    for (let j = a; j < b; j++) {
      const f = feats[j];
      const k = off + f * featStride + (bins[base + f] << 1);
      hist[k] += g;
      hist[k + 1] += h;
    }
  }
}

function build3List(
  hist: Float64Array,
  off: number,
  featStride: number,
  bins: Uint8Array,
  cols: number,
  gh: Float64Array,
  idx: Int32Array,
  start: number,
  end: number,
  feats: Int32Array,
  a: number,
  b: number,
): void {
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * cols;
    for (let j = a; j < b; j++) {
      const f = feats[j];
      const k = off + f * featStride + bins[base + f] * 3;
      hist[k] += g;
      hist[k + 1] += h;
      hist[k + 2] += 1;
    }
  }
}

/**
 * Histogram of rows idx[start..end) for every feature of the 4-feature groups [g0, g1) into the
 * slot at `off` (2 channels). Reads the row's bin codes four at a time through a Uint32 view of
 * the bin matrix (row length stride4 words); this is the engine's hottest loop.
 *
 *   bins32[r * stride4 + q] = codes of features 4q .. 4q+3 of row r (little-endian bytes)
 */
export function buildHistogramGroups(
  hist: Float64Array,
  off: number,
  layout: HistLayout,
  bins32: Uint32Array,
  stride4: number,
  gh: Float64Array,
  idx: Int32Array,
  start: number,
  end: number,
  g0: number,
  g1: number,
): void {
  const fs = layout.featStride;
  const o0 = off + 4 * g0 * fs;
  hist.fill(0, o0, off + 4 * g1 * fs);
  const fs2 = 2 * fs;
  const fs3 = 3 * fs;
  const fs4 = 4 * fs;
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    let w = r * stride4 + g0;
    const wEnd = r * stride4 + g1;
    let o = o0;
    while (w < wEnd) {
      const x = bins32[w++];
      let k = o + ((x & 255) << 1);
      hist[k] += g;
      hist[k + 1] += h;
      k = o + fs + ((x >>> 7) & 510);
      hist[k] += g;
      hist[k + 1] += h;
      k = o + fs2 + ((x >>> 15) & 510);
      hist[k] += g;
      hist[k + 1] += h;
      k = o + fs3 + ((x >>> 23) & 510);
      hist[k] += g;
      hist[k + 1] += h;
      o += fs4;
    }
  }
}

/** parent -= small for the features feats[a..b): the parent's slot becomes the larger child's. */
export function subtractHistogram(
  hist: Float64Array,
  parentOff: number,
  smallOff: number,
  layout: HistLayout,
  feats: Int32Array,
  a: number,
  b: number,
): void {
  const fs = layout.featStride;
  for (let j = a; j < b; j++) {
    const p = parentOff + feats[j] * fs;
    const s = smallOff + feats[j] * fs;
    for (let k = 0; k < fs; k++) hist[p + k] -= hist[s + k];
  }
}
