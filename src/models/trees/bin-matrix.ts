/**
 * The training table as bin codes, ready for the grower: edges fitted (binning.ts), codes
 * written row-major with the row length rounded up to a multiple of 4 so the histogram kernel
 * can read four codes per 32-bit load. The padding columns act as constant features.
 *
 *   bins[r * stride + f]   f < cols: bin of feature f in row r;  cols <= f < stride: 0
 *   binsT[f * rows + r]    the same codes column by column (for partitioning a node's rows)
 */
import type { Rng } from "../../core/index.js";
import { applyBins, type BinMapper, fitBins, padMapper } from "./binning.js";

export interface BinMatrix {
  bins: Uint8Array;
  /** Column-major copy (binsT[f * rows + r], f < stride): partitions read one feature's codes. */
  binsT: Uint8Array;
  /** Row length of `bins` (cols rounded up to a multiple of 4). */
  stride: number;
  /** The fitted mapper, padded to `stride` columns. */
  mapper: BinMapper;
  /** Real features that can split (more than one bin), ascending. */
  usable: Int32Array;
}

export function binMatrix(
  values: Float32Array,
  rows: number,
  cols: number,
  maxBins: number,
  rng: Rng,
  shared: boolean,
): BinMatrix {
  const m = emptyBinMatrix(values, rows, cols, maxBins, rng, shared);
  applyBins(m.fitted, values, rows, m.bins, m.stride, 0, rows, m.binsT);
  return m;
}

/**
 * binMatrix with the edges fitted but the codes not yet written (zeros): boosting writes them on
 * its worker threads (workspace.ts, BIN jobs). `fitted` is the unpadded mapper.
 */
export function emptyBinMatrix(
  values: Float32Array,
  rows: number,
  cols: number,
  maxBins: number,
  rng: Rng,
  shared: boolean,
  /** Where to put the row-major codes (rows x stride bytes) instead of a new buffer. */
  binsInto?: Uint8Array,
  /** The same for the column-major copy. */
  binsTInto?: Uint8Array,
): BinMatrix & { fitted: BinMapper } {
  const fitted = fitBins(values, rows, cols, maxBins, rng);
  const stride = (cols + 3) & ~3;
  const { bins, binsT } = binBuffers(rows, stride, shared, binsInto, binsTInto);
  const usable: number[] = [];
  for (let f = 0; f < cols; f++) if (fitted.nBins[f] >= 2) usable.push(f);
  return {
    bins,
    binsT,
    stride,
    mapper: padMapper(fitted, stride),
    usable: Int32Array.from(usable),
    fitted,
  };
}

/** Zeroed row-major and column-major code buffers of rows x stride bytes (or the given views). */
export function binBuffers(
  rows: number,
  stride: number,
  shared: boolean,
  binsInto?: Uint8Array,
  binsTInto?: Uint8Array,
): { bins: Uint8Array; binsT: Uint8Array } {
  const bytes = rows * stride;
  const bins =
    binsInto?.subarray(0, bytes) ??
    new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  if (bins.length !== bytes) throw new Error("emptyBinMatrix: binsInto is too small");
  const binsT =
    binsTInto?.subarray(0, bytes) ??
    new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  if (binsT.length !== bytes) throw new Error("emptyBinMatrix: binsTInto is too small");
  return { bins, binsT };
}
