/**
 * The grower's working memory, laid out in typed arrays so that worker threads can share it
 * (SharedArrayBuffer) and run the same kernels on their share of the features. A "job" is one
 * histogram step of the grower, described in `jobI`/`jobF` and executed by `executeJob`:
 *
 *   1. build the histogram of rows idx[START..END) into slot BUILD_SLOT   (if BUILD = 1)
 *   2. slot PARENT_SLOT -= slot BUILD_SLOT  (PARENT_SLOT then holds the larger child) (if >= 0)
 *   3. for each of NEVALS nodes e: best split per feature of slot EVAL_SLOT[e], written to res
 *
 * Every step is independent per feature, so a job splits over threads by feature ranges
 * feats[a..b) and the result is bit-identical for any number of threads.
 *
 * Boosting also hands its per-row work to the same threads (jobI[J_KIND]), each split in
 * fixed row or position ranges whose results do not depend on who computes them:
 *   NAN   nanFlags[f] = 1 for each column with a NaN in the job's rows (before EDGES)
 *   EDGES bin edges per feature (threads take feature ranges) fitted on the sample rows
 *         idx[0..END) with at most J_PB bins: writes binTable, binMiss, nBins and missingBin
 *   BIN   bin codes of rows (values -> bins, binsT) with the shared bin table
 *   RAW   raw[idx[k]] += the value of position k's leaf, for positions k in [START, END) (the
 *         new tree's leaf values): from leafTable (J_LEAVES segments in ascending position, a
 *         leaf or an unpartitioned last split: LEAF_FIELDS) or per position from posVal
 *   GRAD  the objective's gradients and hessians of all rows from raw and y (and, with
 *         J_GRAD_IDX, the identity row order in idx for a tree on all rows)
 *   PART  stable partition of idx[START..END) by (feature, bin, default direction): each part
 *         writes its left rows to partL and right rows to partR at its own offset and its left
 *         count to partCounts
 *   STITCH after a PART job over the same rows and parts: each part copies its left rows and
 *         right rows back into idx at their place in the concatenation of all parts (left rows
 *         of parts 0..P-1, then their right rows): the order of one stable pass
 */
import {
  buildHistogram,
  buildHistogramGroups,
  type HistLayout,
  histLayout,
  subtractHistogram,
} from "./histogram.js";
import { applyBinTable, fitEdgeRange, nanColumns } from "./binning.js";
import { runLevelUnit } from "./level-jobs.js";
import { splitRows } from "./row-partition.js";
import { type ObjectiveName, objectiveFor } from "./objectives/index.js";
import { findBestSplit, RES_FIELDS, type SplitParams } from "./splitter.js";
import { type Hist4, histKernel, type Split, type WasmMemory } from "./wasm-histogram.js";

export const J_BUILD = 0;
export const J_BUILD_SLOT = 1;
export const J_START = 2;
export const J_END = 3;
export const J_PARENT_SLOT = 4;
export const J_NFEATS = 5;
export const J_NEVALS = 6;
export const J_EVAL_SLOT = 7; // 7, 8
export const J_KIND = 9;
/** PART: split feature, bin and default direction (1 = left). */
export const J_PF = 10;
export const J_PB = 11;
export const J_PDL = 12;
/** HIST: parts to cut the features into (0 = all of the runner's parts). */
export const J_HPARTS = 13;
/** HIST: 1 = phase 1 of a blocked build (block histograms only), else the whole job. */
export const J_PHASE = 14;
/** GRAD: 1 = also reset idx[r] = r for the part's rows (boosting without row subsampling). */
export const J_GRAD_IDX = 15;
/** HIST: 1 = the JavaScript histogram loops even where the WebAssembly kernel exists. */
export const J_JS_HIST = 16;
/** Level jobs (level-jobs.ts): number of work units in ws.units (0 for every other job). */
export const J_UNITS = 17;
/** RAW: leaves in ws.leafTable (0: the values are per position in posVal). */
export const J_LEAVES = 18;
/**
 * 1 = the leaf values go through leafOf (boosting on all rows with a leaf table): RAW writes
 * each row's leaf code (2 segment + 1 for the right side of a split segment) to leafOf instead
 * of adding to raw, and the next GRAD job first adds that leaf's value to raw[r], row by row.
 */
export const J_LEAF_OF = 19;
const JOB_INTS = 20;
/** Segments a RAW job takes from the leaf table (more: per-position values in posVal). */
export const LEAF_TABLE = 4096;
/**
 * Doubles per leaf-table segment: [first position, feature (-1: a leaf), value or left value,
 * right value, bin, default left]. A segment with a feature is a split whose rows were not
 * partitioned: each row takes the left value when it goes left (as splitRows decides).
 */
export const LEAF_FIELDS = 6;
export const KIND_HIST = 0;
export const KIND_BIN = 1;
export const KIND_RAW = 2;
export const KIND_GRAD = 3;
export const KIND_PART = 4;
export const KIND_NAN = 5;
export const KIND_EDGES = 6;
export const KIND_STITCH = 7;
/** Level jobs of depth-wise growth (level-jobs.ts): one job for all nodes of a tree level. */
export const KIND_LPART = 8;
export const KIND_LSTITCH = 9;
export const KIND_LHIST = 10;
export const KIND_LFINISH = 11;
/** Most work units of a level job, and the ints describing each (level-jobs.ts). */
export const MAX_UNITS = 8192;
export const UNIT_INTS = 12;
/** Parts of an EDGES job (fewer than a row job's: see rowJob). */
const EDGE_PARTS = 4;
/** Most parts a job is cut into (partCounts' length). */
export const MAX_PARTS = 256;
/** jobF: G, H, N of eval node e at 3e, 3e+1, 3e+2. */
const JOB_FLOATS = 6;

export interface Workspace {
  rows: number;
  cols: number;
  /** Bin codes, rows x cols row-major. */
  bins: Uint8Array;
  /** Column-major copy of the codes: binsT[f * rows + r]. */
  binsT: Uint8Array;
  /** The same codes, four per word (when cols is a multiple of 4 and the buffer aligned). */
  bins32: Uint32Array;
  /** (gradient, hessian) per row. */
  gh: Float64Array;
  /** Row index buffer: each node owns a contiguous range. */
  idx: Int32Array;
  nBins: Int32Array;
  missingBin: Int32Array;
  layout: HistLayout;
  slots: number;
  /** Row-block histograms after the slots (blocked builds, histBlocks); 0 = none. */
  blockSlots: number;
  hist: Float64Array;
  /** Split results, evalSets sets x cols x RES_FIELDS. */
  res: Float64Array;
  /** Eval sets in res and masks: 2, or a whole tree level's nodes for level jobs. */
  evalSets: number;
  /** Level jobs: the work units (UNIT_INTS ints each), one int of output per unit, and the
   * (G, H, N) totals of each eval set. */
  units: Int32Array;
  unitOut: Int32Array;
  evalGHN: Float64Array;
  /** Features of the current job (ascending). */
  feats: Int32Array;
  /** Per eval set, which features may split (1) — per-node column sampling. */
  masks: Uint8Array;
  jobI: Int32Array;
  jobF: Float64Array;
  /** lambda, gamma, minChildWeight, minRowsPerLeaf. */
  params: Float64Array;
  /** Boosting's row state (empty for the forest): raw scores, labels, per-position values. */
  raw: Float64Array;
  y: Float32Array;
  posVal: Float64Array;
  /** RAW's segments (LEAF_FIELDS doubles each) in ascending position. */
  leafTable: Float64Array;
  /** Each row's leaf code of the last tree (J_LEAF_OF). */
  leafOf: Uint16Array;
  objective: ObjectiveName;
  /** Partition scratch (empty unless `rowJobs`). */
  partL: Int32Array;
  partR: Int32Array;
  partCounts: Int32Array;
  /** BIN job input: the raw table (srcCols columns) and the bin table (binning.ts binTable). */
  values: Float32Array;
  srcCols: number;
  binTable: Float32Array;
  binMiss: Int32Array;
  /** NAN job output: 1 per source column with a NaN in some training row. */
  nanFlags: Uint8Array;
  /** The WebAssembly histogram kernel and where its arrays sit in its memory (or null). */
  wasm: WasmPlacement | null;
  hist4: Hist4 | null;
  /** The WebAssembly row partition (splitRows), when binsT and partL/partR are in the memory. */
  split: Split | null;
}

/**
 * Byte offsets of the bin codes, gradient pairs, row indices and histogram slots inside one
 * shared WebAssembly.Memory, where the WebAssembly kernel (wasm-histogram.ts) can reach them.
 */
export interface WasmPlacement {
  memory: WasmMemory;
  bins: number;
  gh: number;
  idx: number;
  hist: number;
  /** Column-major codes and the partition scratch (-1: not in the memory). */
  binsT: number;
  partL: number;
  partR: number;
}

/** The buffers behind a workspace, for handing to a worker thread. */
export interface WorkspaceBuffers {
  rows: number;
  cols: number;
  withCount: boolean;
  slots: number;
  blockSlots: number;
  bins: ArrayBufferLike;
  binsT: ArrayBufferLike;
  gh: ArrayBufferLike;
  idx: ArrayBufferLike;
  nBins: ArrayBufferLike;
  missingBin: ArrayBufferLike;
  hist: ArrayBufferLike;
  res: ArrayBufferLike;
  evalSets: number;
  units: ArrayBufferLike;
  unitOut: ArrayBufferLike;
  evalGHN: ArrayBufferLike;
  feats: ArrayBufferLike;
  masks: ArrayBufferLike;
  jobI: ArrayBufferLike;
  jobF: ArrayBufferLike;
  params: ArrayBufferLike;
  raw: ArrayBufferLike;
  y: ArrayBufferLike;
  posVal: ArrayBufferLike;
  leafTable: ArrayBufferLike;
  leafOf: ArrayBufferLike;
  objective: ObjectiveName;
  partL: ArrayBufferLike;
  partR: ArrayBufferLike;
  partCounts: ArrayBufferLike;
  values: ArrayBufferLike;
  srcCols: number;
  binTable: ArrayBufferLike;
  binMiss: ArrayBufferLike;
  nanFlags: ArrayBufferLike;
  /** When set, bins, gh, idx and hist are views of this memory (the fields above are unused). */
  wasm: WasmPlacement | null;
}

function buffer(bytes: number, shared: boolean): ArrayBufferLike {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

export function createWorkspace(opts: {
  rows: number;
  cols: number;
  bins: Uint8Array;
  binsT: Uint8Array;
  nBins: Int32Array;
  missingBin: Int32Array;
  withCount: boolean;
  slots: number;
  /** Row-block histograms for blocked builds (default 0: never blocked). */
  blockSlots?: number;
  params: SplitParams;
  shared: boolean;
  /**
   * Boosting's per-row jobs (BIN, RAW, GRAD, PART): allocate their buffers. `values` (rows x
   * srcCols, used only by BIN) is copied into shared memory unless it already is.
   */
  rowJobs?: {
    objective: ObjectiveName;
    values: Float32Array;
    srcCols: number;
    /**
     * Allocate the shared copy of `values` but leave it to the caller (copyValues), e.g. while a
     * worker pool starts.
     */
    copyLater?: boolean;
  };
  /** Place gh, idx and hist in this memory (bins must already be its view at wasm.bins). */
  wasm?: WasmPlacement | null;
  /** Eval sets for split results (default 2; level jobs need one per node of a level). */
  evalSets?: number;
}): Workspace {
  const { rows, cols, shared } = opts;
  const rj = opts.rowJobs;
  const sized = (bytes: number): ArrayBufferLike => buffer(rj ? bytes : 0, shared);
  let values: ArrayBufferLike = buffer(0, shared);
  if (rj) {
    const v = rj.values.subarray(0, rows * rj.srcCols);
    if (!shared || v.buffer instanceof SharedArrayBuffer) {
      values =
        v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : v.slice().buffer;
    } else {
      values = new SharedArrayBuffer(v.byteLength);
      if (!rj.copyLater) new Float32Array(values).set(v);
    }
  }
  const layout = histLayout(cols, opts.withCount);
  const evalSets = Math.max(2, opts.evalSets ?? 2);
  const b: WorkspaceBuffers = {
    rows,
    cols,
    withCount: opts.withCount,
    slots: opts.slots,
    blockSlots: opts.blockSlots ?? 0,
    bins: opts.bins.buffer,
    binsT: opts.binsT.buffer,
    gh: buffer(opts.wasm ? 0 : rows * 16, shared),
    idx: buffer(opts.wasm ? 0 : rows * 4, shared),
    nBins: buffer(cols * 4, shared),
    missingBin: buffer(cols * 4, shared),
    hist: buffer(opts.wasm ? 0 : (opts.slots + (opts.blockSlots ?? 0)) * layout.size * 8, shared),
    res: buffer(evalSets * cols * RES_FIELDS * 8, shared),
    evalSets,
    units: buffer(rj ? MAX_UNITS * UNIT_INTS * 4 : 0, shared),
    unitOut: buffer(rj ? MAX_UNITS * 4 : 0, shared),
    evalGHN: buffer(evalSets * 3 * 8, shared),
    feats: buffer(cols * 4, shared),
    masks: buffer(evalSets * cols, shared),
    jobI: buffer(JOB_INTS * 4, shared),
    jobF: buffer(JOB_FLOATS * 8, shared),
    params: buffer(4 * 8, shared),
    raw: sized(rows * 8),
    y: sized(rows * 4),
    posVal: sized(rows * 8),
    leafTable: sized(LEAF_TABLE * LEAF_FIELDS * 8),
    leafOf: sized(rows * 2),
    objective: rj?.objective ?? "binary",
    partL: sized(opts.wasm && opts.wasm.partL >= 0 ? 0 : rows * 4),
    partR: sized(opts.wasm && opts.wasm.partR >= 0 ? 0 : rows * 4),
    partCounts: sized(MAX_PARTS * 4),
    values,
    srcCols: rj?.srcCols ?? 0,
    binTable: sized(cols * 256 * 4),
    binMiss: sized(cols * 4),
    nanFlags: sized(cols),
    wasm: opts.wasm ?? null,
  };
  if (opts.wasm && opts.bins.byteOffset !== opts.wasm.bins) {
    throw new Error("createWorkspace: bins must be the kernel memory's view at wasm.bins");
  }
  if (opts.wasm && opts.wasm.binsT >= 0 && opts.binsT.byteOffset !== opts.wasm.binsT) {
    throw new Error("createWorkspace: binsT must be the kernel memory's view at wasm.binsT");
  }
  const ws = attachWorkspace(b);
  ws.nBins.set(opts.nBins);
  ws.missingBin.set(opts.missingBin);
  setSplitParams(ws, opts.params);
  return ws;
}

/** Fill the workspace's copy of the table (createWorkspace's rowJobs.copyLater). */
export function copyValues(ws: Workspace, values: Float32Array): void {
  // (only a fresh shared buffer was left empty: an unshared workspace aliases or copied it)
  if (!(ws.values.buffer instanceof SharedArrayBuffer) || values.buffer === ws.values.buffer) {
    return;
  }
  ws.values.set(values.subarray(0, ws.values.length));
}

export function setSplitParams(ws: Workspace, p: SplitParams): void {
  ws.params[0] = p.lambda;
  ws.params[1] = p.gamma;
  ws.params[2] = p.minChildWeight;
  ws.params[3] = p.minRowsPerLeaf;
}

export function workspaceBuffers(ws: Workspace): WorkspaceBuffers {
  return {
    rows: ws.rows,
    cols: ws.cols,
    withCount: ws.layout.ch === 3,
    slots: ws.slots,
    blockSlots: ws.blockSlots,
    bins: ws.bins.buffer,
    binsT: ws.binsT.buffer,
    gh: ws.gh.buffer,
    idx: ws.idx.buffer,
    nBins: ws.nBins.buffer,
    missingBin: ws.missingBin.buffer,
    hist: ws.hist.buffer,
    res: ws.res.buffer,
    evalSets: ws.evalSets,
    units: ws.units.buffer,
    unitOut: ws.unitOut.buffer,
    evalGHN: ws.evalGHN.buffer,
    feats: ws.feats.buffer,
    masks: ws.masks.buffer,
    jobI: ws.jobI.buffer,
    jobF: ws.jobF.buffer,
    params: ws.params.buffer,
    raw: ws.raw.buffer,
    y: ws.y.buffer,
    posVal: ws.posVal.buffer,
    leafTable: ws.leafTable.buffer,
    leafOf: ws.leafOf.buffer,
    objective: ws.objective,
    partL: ws.partL.buffer,
    partR: ws.partR.buffer,
    partCounts: ws.partCounts.buffer,
    values: ws.values.buffer,
    srcCols: ws.srcCols,
    binTable: ws.binTable.buffer,
    binMiss: ws.binMiss.buffer,
    nanFlags: ws.nanFlags.buffer,
    wasm: ws.wasm,
  };
}

export function attachWorkspace(b: WorkspaceBuffers): Workspace {
  const w = b.wasm;
  const mem = w ? w.memory.buffer : null;
  const binsBuf = mem ?? b.bins;
  const binsOff = w ? w.bins : 0;
  const layout = histLayout(b.cols, b.withCount);
  return {
    rows: b.rows,
    cols: b.cols,
    bins: new Uint8Array(binsBuf, binsOff, b.rows * b.cols),
    binsT:
      w && mem && w.binsT >= 0
        ? new Uint8Array(mem, w.binsT, b.rows * b.cols)
        : new Uint8Array(b.binsT, 0, b.rows * b.cols),
    bins32: new Uint32Array(binsBuf, binsOff, b.cols % 4 === 0 ? (b.rows * b.cols) >> 2 : 0),
    gh: w && mem ? new Float64Array(mem, w.gh, 2 * b.rows) : new Float64Array(b.gh),
    idx: w && mem ? new Int32Array(mem, w.idx, b.rows) : new Int32Array(b.idx),
    nBins: new Int32Array(b.nBins),
    missingBin: new Int32Array(b.missingBin),
    layout,
    slots: b.slots,
    blockSlots: b.blockSlots,
    hist:
      w && mem
        ? new Float64Array(mem, w.hist, (b.slots + b.blockSlots) * layout.size)
        : new Float64Array(b.hist),
    res: new Float64Array(b.res),
    evalSets: b.evalSets,
    units: new Int32Array(b.units),
    unitOut: new Int32Array(b.unitOut),
    evalGHN: new Float64Array(b.evalGHN),
    feats: new Int32Array(b.feats),
    masks: new Uint8Array(b.masks),
    jobI: new Int32Array(b.jobI),
    jobF: new Float64Array(b.jobF),
    params: new Float64Array(b.params),
    raw: new Float64Array(b.raw),
    y: new Float32Array(b.y),
    posVal: new Float64Array(b.posVal),
    leafTable: new Float64Array(b.leafTable),
    leafOf: new Uint16Array(b.leafOf),
    objective: b.objective,
    partL:
      w && mem && w.partL >= 0 ? new Int32Array(mem, w.partL, b.rows) : new Int32Array(b.partL),
    partR:
      w && mem && w.partR >= 0 ? new Int32Array(mem, w.partR, b.rows) : new Int32Array(b.partR),
    partCounts: new Int32Array(b.partCounts),
    values: new Float32Array(b.values),
    srcCols: b.srcCols,
    binTable: new Float32Array(b.binTable),
    binMiss: new Int32Array(b.binMiss),
    nanFlags: new Uint8Array(b.nanFlags),
    ...kernels(w),
  };
}

function kernels(w: WasmPlacement | null): Pick<Workspace, "wasm" | "hist4" | "split"> {
  if (!w) return { wasm: null, hist4: null, split: null };
  const k = histKernel(w.memory);
  const splitOk = w.binsT >= 0 && w.partL >= 0 && w.partR >= 0;
  return { wasm: w, hist4: k.hist4, split: splitOk ? k.split : null };
}

/** Run part `part` of `parts` of the current job (its share of the job's features). */
export function executeJob(ws: Workspace, part: number, allParts: number): void {
  const J = ws.jobI;
  const kind = J[J_KIND];
  if (kind >= KIND_LPART) {
    runLevelUnit(ws, kind, part);
    return;
  }
  if (kind !== KIND_HIST) {
    rowJob(ws, kind, part, allParts);
    return;
  }
  if (J[J_PHASE] === 1) {
    buildBlocks(ws, part, allParts);
    return;
  }
  // Histogram jobs use at most J_HPARTS parts: each part re-reads every row's index and
  // gradient pair, so cutting the features finer than one part per thread costs more than the
  // balance it buys.
  const parts = J[J_HPARTS] > 0 ? Math.min(J[J_HPARTS], allParts) : allParts;
  if (part >= parts) return;
  const nf = J[J_NFEATS];
  if (nf === 0) return;
  const feats = ws.feats;
  // Threads split the 4-feature groups (the kernel writes whole groups), then take the listed
  // features inside their groups: no two threads ever write the same histogram bins.
  const gFirst = feats[0] >> 2;
  const nG = (feats[nf - 1] >> 2) - gFirst + 1;
  const ga = gFirst + Math.floor((nG * part) / parts);
  const gb = gFirst + Math.floor((nG * (part + 1)) / parts);
  let a = 0;
  while (a < nf && feats[a] >> 2 < ga) a++;
  let b = a;
  while (b < nf && feats[b] >> 2 < gb) b++;
  const size = ws.layout.size;
  const buildOff = J[J_BUILD_SLOT] * size;
  // dense feature lists: build whole groups with the 4-codes-per-load kernel
  const dense = ws.layout.ch === 2 && ws.cols % 4 === 0 && 2 * nf >= 4 * nG;
  if (J[J_BUILD] === 1) {
    const nb = histBlocks(ws, J[J_END] - J[J_START]);
    if (nb === 0) {
      buildRows(ws, buildOff, J[J_START], J[J_END], dense, ga, gb, a, b);
    } else {
      // phase 2 of a blocked build: the slot is the sum of the row blocks' histograms, added
      // in block order (so it does not depend on which thread built which block)
      const fs = ws.layout.featStride;
      const h = ws.hist;
      for (let j = a; j < b; j++) {
        const o = buildOff + feats[j] * fs;
        const o0 = blockOff(ws, 0) + feats[j] * fs;
        h.copyWithin(o, o0, o0 + fs);
        for (let c = 1; c < nb; c++) {
          const oc = blockOff(ws, c) + feats[j] * fs;
          for (let k = 0; k < fs; k++) h[o + k] += h[oc + k];
        }
      }
    }
  }
  if (J[J_PARENT_SLOT] >= 0) {
    subtractHistogram(ws.hist, J[J_PARENT_SLOT] * size, buildOff, ws.layout, ws.feats, a, b);
  }
  for (let e = 0; e < J[J_NEVALS]; e++) {
    const F = ws.jobF;
    evalFeatures(ws, e, J[J_EVAL_SLOT + e] * size, F[3 * e], F[3 * e + 1], F[3 * e + 2], a, b);
  }
}

/**
 * Best split of each feature feats[a..b) for evaluation e (a node whose histogram is at off and
 * whose gradient, hessian and row sums are G, H, N) into its rows of res; features masked out
 * for e get -Infinity. The node-by-node HIST job and the level jobs' LFINISH both end here.
 */
export function evalFeatures(
  ws: Workspace,
  e: number,
  off: number,
  G: number,
  H: number,
  N: number,
  a: number,
  b: number,
): void {
  const P = ws.params;
  const sp: SplitParams = { lambda: P[0], gamma: P[1], minChildWeight: P[2], minRowsPerLeaf: P[3] };
  const cols = ws.cols;
  for (let j = a; j < b; j++) {
    const f = ws.feats[j];
    const rOff = (e * cols + f) * RES_FIELDS;
    if (ws.masks[e * cols + f] === 0) ws.res[rOff] = Number.NEGATIVE_INFINITY;
    else
      findBestSplit(
        ws.hist,
        off,
        ws.layout,
        f,
        ws.nBins[f],
        ws.missingBin[f],
        G,
        H,
        N,
        sp,
        ws.res,
        rOff,
      );
  }
}

/** Rows per block of a blocked histogram build (see histBlocks). */
export const HIST_BLOCK_ROWS = 16_384;
/** Block histograms a boosting workspace keeps after its slots. */
export const HIST_BLOCKS = 32;

/**
 * Row blocks of a histogram build over n rows: 0 = build in one pass (threads split the
 * features), else the rows are cut into this many blocks, each built into its own histogram
 * (phase 1, threads split the blocks) and summed in block order (phase 2, threads split the
 * features). Blocks read each row's index, gradient pair and codes once in all, where a feature
 * split reads them once per thread. Depends on n only, never on the thread count.
 */
export function histBlocks(ws: Workspace, n: number): number {
  if (ws.blockSlots < 4) return 0;
  const nb = Math.min(ws.blockSlots, Math.floor(n / HIST_BLOCK_ROWS));
  return nb >= 4 ? nb : 0;
}

export function blockOff(ws: Workspace, c: number): number {
  return (ws.slots + c) * ws.layout.size;
}

/** Phase 1 of a blocked build: blocks [part/parts share) over all of the job's features. */
function buildBlocks(ws: Workspace, part: number, parts: number): void {
  const J = ws.jobI;
  const start = J[J_START];
  const n = J[J_END] - start;
  const nb = histBlocks(ws, n);
  const nf = J[J_NFEATS];
  if (nf === 0) return;
  const feats = ws.feats;
  const g0 = feats[0] >> 2;
  const g1 = (feats[nf - 1] >> 2) + 1;
  const dense = ws.layout.ch === 2 && ws.cols % 4 === 0 && 2 * nf >= 4 * (g1 - g0);
  const c0 = Math.floor((nb * part) / parts);
  const c1 = Math.floor((nb * (part + 1)) / parts);
  for (let c = c0; c < c1; c++) {
    const a = start + Math.floor((n * c) / nb);
    const b = start + Math.floor((n * (c + 1)) / nb);
    buildRows(ws, blockOff(ws, c), a, b, dense, g0, g1, 0, nf);
  }
}

/**
 * Histogram of rows idx[start..end) into the histogram at `off`: whole 4-feature groups
 * [ga, gb) when dense, else the listed features feats[a..b).
 */
export function buildRows(
  ws: Workspace,
  off: number,
  start: number,
  end: number,
  dense: boolean,
  ga: number,
  gb: number,
  a: number,
  b: number,
): void {
  if (dense && ws.hist4 && ws.wasm && ws.jobI[J_JS_HIST] === 0) {
    if (gb > ga) {
      const fs = ws.layout.featStride;
      ws.hist.fill(0, off + 4 * ga * fs, off + 4 * gb * fs);
      const W = ws.wasm;
      ws.hist4(
        W.hist + (off + 4 * ga * fs) * 8,
        W.bins,
        ws.cols,
        W.gh,
        W.idx,
        W.idx + 4 * start,
        W.idx + 4 * end,
        4 * ga,
        4 * gb,
      );
    }
  } else if (dense) {
    if (gb > ga) {
      buildHistogramGroups(
        ws.hist,
        off,
        ws.layout,
        ws.bins32,
        ws.cols >> 2,
        ws.gh,
        ws.idx,
        start,
        end,
        ga,
        gb,
      );
    }
  } else if (b > a) {
    buildHistogram(ws.hist, off, ws.layout, ws.bins, ws.gh, ws.idx, start, end, ws.feats, a, b);
  }
}

/**
 * Whether the histograms of this table should use the JavaScript loops rather than the
 * WebAssembly kernel. Both sum in row order (bit-identical models); the choice is speed only.
 * Consecutive rows that hit the same bin chain each f64x2 load-add-store on the previous store,
 * and with few bins that is most rows: on 4-feature groups holding a feature of under 8 bins
 * the kernel runs ~2x the JS loops' time (binary columns, 70k rows, 50 trees: 6.3 vs 3.3 CPU s),
 * on 256-bin groups ~0.6x (1.0 vs 1.6). One kernel per build (splitting a build into runs of
 * groups costs extra passes over the rows), so: JS when that weighs more, i.e. when over ~30%
 * of the groups hold such a feature (ml-latest-small's features: 12 of 21; the bench: 1 of 12).
 */
export function preferJsHistograms(nBins: Int32Array): boolean {
  const groups = Math.ceil(nBins.length / 4);
  let low = 0;
  for (let g = 0; g < groups; g++) {
    for (let f = 4 * g; f < Math.min(nBins.length, 4 * g + 4); f++) {
      // constant columns (1 bin, never split; the padding columns) do not count
      if (nBins[f] > 1 && nBins[f] < 8) {
        low++;
        break;
      }
    }
  }
  return 2 * low + 0.6 * (groups - low) > groups;
}

/** Part `part` of `parts` of a per-row job (see the header). */
function rowJob(ws: Workspace, kind: number, part: number, parts: number): void {
  const J = ws.jobI;
  if (kind === KIND_NAN) {
    const rows = ws.rows;
    const r0 = Math.floor((rows * part) / parts);
    const r1 = Math.floor((rows * (part + 1)) / parts);
    nanColumns(ws.values, ws.srcCols, r0, r1, ws.nanFlags);
  } else if (kind === KIND_EDGES) {
    // each part reads every sample row once for its features: a few wide parts beat many
    const edgeParts = Math.min(parts, EDGE_PARTS);
    if (part < edgeParts) fitEdgesPart(ws, part, edgeParts);
  } else if (kind === KIND_BIN) {
    const rows = ws.rows;
    const r0 = Math.floor((rows * part) / parts);
    const r1 = Math.floor((rows * (part + 1)) / parts);
    applyBinTable(
      ws.binTable,
      ws.binMiss,
      ws.srcCols,
      ws.values,
      rows,
      ws.bins,
      ws.cols,
      r0,
      r1,
      ws.binsT,
    );
  } else if (kind === KIND_GRAD) {
    const rows = ws.rows;
    const r0 = Math.floor((rows * part) / parts);
    const r1 = Math.floor((rows * (part + 1)) / parts);
    if (J[J_LEAF_OF] === 1) {
      // the last tree's leaf values, row by row (RAW left each row's leaf code)
      const raw = ws.raw;
      const lo = ws.leafOf;
      const lt = ws.leafTable;
      for (let r = r0; r < r1; r++) {
        const c = lo[r];
        raw[r] += lt[LEAF_FIELDS * (c >> 1) + 2 + (c & 1)];
      }
    }
    objectiveFor(ws.objective).gradients(
      ws.raw.subarray(r0, r1),
      ws.y.subarray(r0, r1),
      ws.gh.subarray(2 * r0, 2 * r1),
      r1 - r0,
    );
    if (J[J_GRAD_IDX] === 1) {
      const idx = ws.idx;
      for (let r = r0; r < r1; r++) idx[r] = r;
    }
  } else {
    const start = J[J_START];
    const n = J[J_END] - start;
    const a = start + Math.floor((n * part) / parts);
    const b = start + Math.floor((n * (part + 1)) / parts);
    const idx = ws.idx;
    if (kind === KIND_STITCH) {
      const pc = ws.partCounts;
      let before = 0;
      let left = 0;
      for (let c = 0; c < parts; c++) {
        if (c < part) before += pc[c];
        left += pc[c];
      }
      const nl = pc[part];
      idx.set(ws.partL.subarray(a, a + nl), start + before);
      const rightBefore = a - start - before;
      idx.set(ws.partR.subarray(a, b - nl), start + left + rightBefore);
    } else if (kind === KIND_RAW) {
      const raw = ws.raw;
      const nl = J[J_LEAVES];
      if (nl === 0) {
        const pv = ws.posVal;
        for (let k = a; k < b; k++) raw[idx[k]] += pv[k];
      } else {
        // the segments tile the positions: start at the one holding a
        const lt = ws.leafTable;
        const F = LEAF_FIELDS;
        let lo = 0;
        let hi = nl - 1;
        while (lo < hi) {
          const m = (lo + hi + 1) >> 1;
          if (lt[F * m] <= a) lo = m;
          else hi = m - 1;
        }
        let k = a;
        const codes = J[J_LEAF_OF] === 1 ? ws.leafOf : null;
        for (let l = lo; l < nl && k < b; l++) {
          const o = F * l;
          const e = Math.min(b, l + 1 < nl ? lt[o + F] : b);
          const f = lt[o + 1];
          if (codes) {
            leafCodes(ws, codes, k, e, l, f);
            k = e;
            continue;
          }
          const v = lt[o + 2];
          if (f < 0) {
            for (; k < e; k++) raw[idx[k]] += v;
            continue;
          }
          const vr = lt[o + 3];
          const t = lt[o + 4];
          const dl = lt[o + 5];
          const mb = ws.missingBin[f] & 511;
          const col = ws.binsT;
          const base = f * ws.rows;
          for (; k < e; k++) {
            const r = idx[k];
            const c = col[base + r];
            const left = c === mb ? dl === 1 : c <= t;
            raw[r] += left ? v : vr;
          }
        }
      }
    } else {
      const f = J[J_PF];
      const rows = ws.rows;
      const col = ws.binsT.subarray(f * rows, (f + 1) * rows);
      const W = ws.wasm;
      const l =
        ws.split && W
          ? (ws.split(
              W.idx + 4 * a,
              W.idx + 4 * b,
              W.partL + 4 * a,
              W.partR + 4 * a,
              W.binsT + f * rows,
              J[J_PB],
              ws.missingBin[f] & 511,
              J[J_PDL] & 1,
            ) -
              W.partL) >>
            2
          : splitRows(
              idx,
              ws.partL,
              ws.partR,
              col,
              a,
              b,
              a,
              a,
              J[J_PB],
              ws.missingBin[f],
              J[J_PDL],
            );
      ws.partCounts[part] = l - a;
    }
  }
}

/**
 * RAW with J_LEAF_OF: leaf codes of positions [k, e) of segment l (split feature f, -1 for a
 * leaf): 2l, plus 1 for rows that go right of the split.
 */
function leafCodes(
  ws: Workspace,
  codes: Uint16Array,
  k: number,
  e: number,
  l: number,
  f: number,
): void {
  const idx = ws.idx;
  if (f < 0) {
    for (; k < e; k++) codes[idx[k]] = 2 * l;
    return;
  }
  const o = LEAF_FIELDS * l;
  const t = ws.leafTable[o + 4];
  const dl = ws.leafTable[o + 5] === 1 ? 0 : 1;
  const mb = ws.missingBin[f] & 511;
  const col = ws.binsT;
  const base = f * ws.rows;
  for (; k < e; k++) {
    const r = idx[k];
    const c = col[base + r];
    codes[r] = 2 * l + (c === mb ? dl : c <= t ? 0 : 1);
  }
}

/** Runs jobs: in this thread, or spread over worker threads (worker-pool.ts). */
export interface JobRunner {
  readonly threads: number;
  /** Parts each job is cut into (executeJob's `parts`). */
  readonly chunks: number;
  run(ws: Workspace): void;
}

export const inProcessRunner: JobRunner = {
  threads: 1,
  chunks: 1,
  run(ws: Workspace): void {
    executeJob(ws, 0, 1);
  },
};

/**
 * EDGES job, part `part` of `parts`: features [fa, fb) of the source columns get their edges
 * (binning.ts fitEdgeRange, the same numbers fitBins computes) written into the padded bin
 * table (table[f * 256 + k], +Infinity after the last edge), their value-bin count and missing
 * bin; padding columns (srcCols <= f < cols) become constant features. Parts own disjoint
 * features, so the result does not depend on the thread count.
 */
function fitEdgesPart(ws: Workspace, part: number, parts: number): void {
  const cols = ws.cols;
  const fa = Math.floor((cols * part) / parts);
  const fb = Math.floor((cols * (part + 1)) / parts);
  const src = ws.srcCols;
  const sa = Math.min(fa, src);
  const sb = Math.min(fb, src);
  const sample = ws.idx.subarray(0, ws.jobI[J_END]);
  const edges = fitEdgeRange(ws.values, src, sample, sa, sb, ws.jobI[J_PB], ws.nanFlags);
  for (let f = fa; f < fb; f++) {
    const e = f < src ? edges[f - sa] : new Float32Array(0);
    const missing = f < src && ws.nanFlags[f] === 1;
    ws.binTable.fill(Number.POSITIVE_INFINITY, f * 256, (f + 1) * 256);
    ws.binTable.set(e, f * 256);
    ws.nBins[f] = e.length + 1;
    ws.missingBin[f] = missing ? e.length + 1 : -1;
    ws.binMiss[f] = missing ? e.length + 1 : 0;
  }
}
