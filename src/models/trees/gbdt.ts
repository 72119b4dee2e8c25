/**
 * Gradient-boosted trees on any dense table (library entry point `trainGbdt`). Each round asks
 * the objective for gradients and hessians at the current raw scores, samples rows and columns,
 * grows one tree with the shared grower and adds its shrunk leaf values. With validation rows
 * and `earlyStoppingRounds`, training stops once the validation loss has not improved for that
 * many rounds and the model keeps the best round's trees.
 */
import { CinerankError, type ProgressReporter, Rng } from "../../core/index.js";
import { binBuffers } from "./bin-matrix.js";
import { type BinMapper, edgeSample } from "./binning.js";
import { type GbdtConfig, gbdtSpec } from "./gbdt-config.js";
import { resolveConfig } from "./config-spec.js";
import { type GrownTree, Grower, MAX_LEVEL_DEPTH } from "./grower.js";
import { addSerial, type FitProfile } from "./fit-profile.js";
import { objectiveFor } from "./objectives/index.js";
import { PackedForest } from "./packed-tree.js";
import { checkTable, type TreeTable } from "./tree-table.js";
import { TreeModel } from "./tree-model.js";
import { WorkerPool, defaultThreads } from "./worker-pool.js";
import {
  copyValues,
  createWorkspace,
  executeJob,
  HIST_BLOCKS,
  inProcessRunner,
  J_END,
  J_KIND,
  J_GRAD_IDX,
  J_JS_HIST,
  J_LEAF_OF,
  J_LEAVES,
  LEAF_FIELDS,
  LEAF_TABLE,
  J_PB,
  J_START,
  KIND_BIN,
  KIND_EDGES,
  KIND_GRAD,
  KIND_NAN,
  KIND_RAW,
  preferJsHistograms,
  type WasmPlacement,
  type Workspace,
} from "./workspace.js";
import { histLayout } from "./histogram.js";
import { allocateKernelMemory } from "./wasm-histogram.js";

export interface TrainOptions {
  /** Seed (default 0) — or an Rng to draw from. */
  seed?: number;
  rng?: Rng;
  /** Threads (default: available cores); 1 runs in this thread. Results do not depend on it. */
  threads?: number;
  /** Validation rows for early stopping (never used to fit). */
  valid?: TreeTable;
  /** Feature names (default f0, f1, ...). */
  names?: string[];
  onProgress?: ProgressReporter;
  /**
   * Histogram kernel: "auto" (default) uses WebAssembly SIMD where available, "js" forces the
   * JavaScript loops. Both give bit-identical models; the option exists for tests and benches.
   */
  kernel?: "auto" | "js";
  /**
   * Depth-wise growth: "level" (default) runs a whole tree level per pool job, "node" one node
   * at a time. Both grow identical trees; the option exists for tests and benches.
   */
  growth?: "level" | "node";
  /** Row-block histograms kept for blocked builds (default HIST_BLOCKS; for tests). */
  histBlockSlots?: number;
  /** Filled with where the fit's wall time went (fit-profile.ts; benches). */
  profile?: FitProfile;
}

/** Per-row jobs (binning, gradients, score updates) go to the workers from this many rows. */
const ROW_JOBS_MIN_ROWS = 50_000;

/** Histogram memory for kept slots is capped at this many bytes. */
const SLOT_BUDGET_BYTES = 512 * 1024 * 1024;

export async function trainGbdt(
  train: TreeTable,
  config: Partial<GbdtConfig> = {},
  opts: TrainOptions = {},
): Promise<TreeModel> {
  const c = resolveConfig("gbdt", gbdtSpec, config);
  const obj = objectiveFor(c.objective);
  const binary = c.objective === "binary";
  const y = checkTable(train, "gbdt training table", binary, true);
  const valid = opts.valid;
  const vy = valid ? checkTable(valid, "gbdt validation table", binary) : null;
  if (valid && valid.cols !== train.cols) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `gbdt validation table: ${valid.cols} columns, expected ${train.cols} like the training table`,
    );
  }
  const { rows, cols, values } = train;
  const prof = opts.profile ?? null;
  const fitStart = performance.now();
  /** Time since `t` into the profile's serial part `name` (when profiling). */
  const lap = (name: string, t: number): number => {
    if (!prof) return 0;
    const now = performance.now();
    addSerial(prof, name, now - t);
    return now;
  };
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const threads = Math.max(1, Math.floor(opts.threads ?? defaultThreads()));
  const shared = threads > 1;

  const stride = (cols + 3) & ~3;
  const lossguide = c.growPolicy === "lossguide";
  const withCount = c.minRowsPerLeaf > 1;
  const slotBytes = histLayout(stride, withCount).size * 8;
  const wanted =
    lossguide && c.maxLeaves > 0
      ? c.maxLeaves + 1
      : c.maxDepth > 0 && c.maxDepth < 12
        ? (1 << c.maxDepth) + 1
        : c.maxLeaves > 0
          ? c.maxLeaves + 1
          : 4096;
  const slots = 1 + Math.max(2, Math.min(wanted, Math.floor(SLOT_BUDGET_BYTES / slotBytes) - 1));
  const blockSlots = Math.max(0, Math.floor(opts.histBlockSlots ?? HIST_BLOCKS));
  // the WebAssembly histogram kernel (2-channel histograms) needs its arrays in its memory
  const wasm =
    withCount || opts.kernel === "js"
      ? null
      : placeForKernel(rows, stride, slots + blockSlots, slotBytes);
  // Binning happens on the workers too (NAN, EDGES and BIN jobs, workspace.ts): the workspace
  // starts with empty codes and a placeholder mapper, the edges are fitted per feature range.
  const edgeRows = edgeSample(rows, rng.fork(1));
  const { bins, binsT } = binBuffers(
    rows,
    stride,
    shared,
    wasm ? new Uint8Array(wasm.memory.buffer, wasm.bins, rows * stride) : undefined,
    wasm ? new Uint8Array(wasm.memory.buffer, wasm.binsT, rows * stride) : undefined,
  );
  const ws = createWorkspace({
    rows,
    cols: stride,
    bins,
    binsT,
    nBins: new Int32Array(stride),
    missingBin: new Int32Array(stride),
    withCount,
    slots,
    blockSlots: blockSlots,
    params: c,
    shared,
    rowJobs: { objective: c.objective, values, srcCols: cols, copyLater: true },
    wasm,
    // level jobs evaluate a whole level's children at once (grower.ts growByLevel)
    evalSets: !lossguide && c.maxDepth > 0 && c.maxDepth <= MAX_LEVEL_DEPTH ? 1 << c.maxDepth : 2,
  });
  // the worker starts (its thread loads the modules) while this thread copies the table
  const poolReady = shared ? WorkerPool.create(threads, ws) : null;
  copyValues(ws, values);
  const pool = poolReady ? await poolReady : null;
  if (pool) pool.profile = prof;
  /** A per-row job (workspace.ts) on the pool, or here when the table is small. */
  const rowJob = (kind: number, start = 0, end = rows): void => {
    ws.jobI[J_KIND] = kind;
    ws.jobI[J_START] = start;
    ws.jobI[J_END] = end;
    if (pool && rows >= ROW_JOBS_MIN_ROWS) pool.run(ws);
    else executeJob(ws, 0, 1);
  };
  try {
    // the edge sample sits in idx until the first tree's rows replace it
    ws.idx.set(edgeRows);
    ws.jobI[J_PB] = c.maxBins;
    rowJob(KIND_NAN);
    rowJob(KIND_EDGES, 0, edgeRows.length);
    const mapper = workspaceMapper(ws);
    ws.jobI[J_JS_HIST] = preferJsHistograms(ws.nBins) ? 1 : 0;
    const usable: number[] = [];
    for (let f = 0; f < cols; f++) if (mapper.nBins[f] >= 2) usable.push(f);
    rowJob(KIND_BIN);
    const nodeFeatures = (n: number): number =>
      c.colsampleByNode >= 1 ? 0 : Math.max(1, Math.floor(c.colsampleByNode * n));
    const grower = new Grower(
      ws,
      pool ?? inProcessRunner,
      {
        ...c,
        maxDepth: c.maxDepth,
        maxLeaves: c.maxLeaves,
        lossguide,
        nodeFeatures: nodeFeatures(usable.length),
        subtraction: true,
        shrinkage: c.learningRate,
        // the RAW job routes the last level's rows to their leaves (no partition for that)
        routeLastLevel: opts.growth !== "node",
      },
      undefined,
      false,
      opts.growth !== "node",
    );
    grower.profile = prof;
    const base = obj.baseScore(y, rows);
    const raw = ws.raw.fill(base);
    ws.y.set(y.subarray(0, rows));
    const vraw = valid ? new Float64Array(valid.rows).fill(base) : null;
    const inSample = new Uint8Array(rows);
    const trees: PackedForest[] = [];
    const treeGain: Float64Array[] = [];
    const treeSplits: Float64Array[] = [];
    const earlyStop = valid !== undefined && c.earlyStoppingRounds > 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    let bestIter = -1;
    const treeFeats = Int32Array.from(usable);
    // a tree on all rows: the GRAD job also puts them back in order in idx (the grower permuted
    // them), in parallel, instead of a pass over all rows here
    const allRows = c.subsample >= 1;
    if (allRows) inSample.fill(1);
    ws.jobI[J_GRAD_IDX] = allRows ? 1 : 0;
    if (prof) prof.setupMs = performance.now() - fitStart;
    // the last tree's leaf values wait in ws.leafOf for the next GRAD job (J_LEAF_OF)
    let leafOfPending = false;
    for (let t = 0; t < c.trees; t++) {
      ws.jobI[J_LEAF_OF] = leafOfPending ? 1 : 0;
      rowJob(KIND_GRAD);
      leafOfPending = false;
      const treeRng = rng.fork(1000 + t);
      const n = allRows ? rows : sampleRows(ws.idx, inSample, rows, c.subsample, treeRng);
      const nf =
        c.colsampleByTree >= 1
          ? usable.length
          : Math.max(1, Math.floor(c.colsampleByTree * usable.length));
      const feats = nf === usable.length ? treeFeats : sampleSorted(usable, nf, treeRng);
      const grown = grower.grow(n, feats, treeRng, allRows);
      let tl = prof ? performance.now() : 0;
      const packed = PackedForest.fromGrown([grown], mapper);
      trees.push(packed);
      tl = lap("pack tree", tl);
      // in-sample rows: add their leaf's value through the partitioned index buffer
      setLeafValues(ws, grown, packed);
      lap("leaf values", tl);
      // on all rows, RAW only notes each row's leaf; the next GRAD job adds the values, row by
      // row, in the pass it makes anyway (the last tree's values are never needed in raw)
      leafOfPending = n === rows && ws.jobI[J_LEAVES] > 0 && LEAF_TABLE <= 1 << 15;
      ws.jobI[J_LEAF_OF] = leafOfPending ? 1 : 0;
      if (!leafOfPending || t + 1 < c.trees) rowJob(KIND_RAW, 0, n);
      if (n < rows) {
        for (let r = 0; r < rows; r++)
          if (inSample[r] === 0) raw[r] += packed.value[packed.leaf(0, values, r * cols)];
      }
      const tg = new Float64Array(cols);
      const ts = new Float64Array(cols);
      for (let i = 0; i < grown.feature.length; i++) {
        const f = grown.feature[i];
        if (f >= 0) {
          tg[f] += grown.gain[i];
          ts[f] += 1;
        }
      }
      treeGain.push(tg);
      treeSplits.push(ts);
      let message: string | undefined;
      if (valid && vraw && vy) {
        packed.addRaw(valid.values, cols, 0, valid.rows, 0, 1, 1, vraw);
        const loss = obj.loss(vraw, vy, valid.rows);
        message = `valid loss ${loss.toFixed(5)}`;
        if (loss < bestLoss) {
          bestLoss = loss;
          bestIter = t;
        }
      }
      opts.onProgress?.({ stage: "gbdt", done: t + 1, total: c.trees, unit: "trees", message });
      if (earlyStop && t - bestIter >= c.earlyStoppingRounds) break;
    }
    const keep = earlyStop ? bestIter + 1 : trees.length;
    const gain = new Float64Array(cols);
    const splits = new Float64Array(cols);
    for (let t = 0; t < keep; t++) {
      for (let f = 0; f < cols; f++) {
        gain[f] += treeGain[t][f];
        splits[f] += treeSplits[t][f];
      }
    }
    const forest = PackedForest.concat(trees.slice(0, keep));
    return new TreeModel(
      {
        family: "gbdt",
        featureNames: opts.names ?? Array.from({ length: cols }, (_, i) => `f${i}`),
        objective: c.objective,
        link: binary,
        baseScore: base,
        treeScale: 1,
        gain: Array.from(gain),
        splits: Array.from(splits),
        config: { ...c },
        info: {
          treesTrained: trees.length,
          bestIteration: valid ? bestIter + 1 : null,
          bestValidLoss: valid ? bestLoss : null,
        },
      },
      forest,
    );
  } finally {
    await pool?.close();
    if (prof) {
      prof.fitMs = performance.now() - fitStart;
      let inJobs = 0;
      for (const s of Object.values(prof.jobs)) inJobs += s.wallMs;
      prof.serialMs = prof.fitMs - inJobs;
    }
  }
}

/** Bin codes, gradient pairs, row indices and histogram slots in one kernel memory, or null. */
function placeForKernel(
  rows: number,
  stride: number,
  slots: number,
  slotBytes: number,
): WasmPlacement | null {
  let off = 0;
  const at = (bytes: number): number => {
    const o = off;
    off += Math.ceil(Math.max(bytes, 16) / 64) * 64;
    return o;
  };
  const hist = at(slots * slotBytes);
  const gh = at(rows * 16);
  const idx = at(rows * 4);
  const bins = at(rows * stride);
  const binsT = at(rows * stride);
  const partL = at(rows * 4);
  const partR = at(rows * 4);
  const memory = allocateKernelMemory(off);
  return memory ? { memory, bins, gh, idx, hist, binsT, partL, partR } : null;
}

/** The mapper (padded to the workspace's columns) that an EDGES job left in the workspace. */
function workspaceMapper(ws: Workspace): BinMapper {
  const edges: Float32Array[] = [];
  for (let f = 0; f < ws.cols; f++) {
    edges.push(ws.binTable.slice(f * 256, f * 256 + ws.nBins[f] - 1));
  }
  return {
    cols: ws.cols,
    edges,
    nBins: ws.nBins.slice(),
    missingBin: ws.missingBin.slice(),
  };
}

/**
 * The RAW job's leaf values: the tree's leaves as (first position, value) in position order in
 * the leaf table, or (more leaves than it holds) each position's value in posVal.
 */
function setLeafValues(ws: Workspace, grown: GrownTree, packed: PackedForest): void {
  // [first position, node, split?] of every leaf with rows and every unpartitioned split
  const segs: [number, number, boolean][] = [];
  for (let i = 0; i < grown.feature.length; i++) {
    if (grown.feature[i] < 0 && grown.end[i] > grown.start[i])
      segs.push([grown.start[i], i, false]);
  }
  for (const r of grown.routed ?? []) if (r.end > r.start) segs.push([r.start, r.node, true]);
  const routed = grown.routed !== undefined && grown.routed.length > 0;
  if (segs.length > LEAF_TABLE && routed) {
    // (a tree grown with routeLastLevel always fits: at most 2^MAX_LEVEL_DEPTH leaves)
    throw new Error("gbdt: more leaf segments than the leaf table holds");
  }
  if (segs.length > LEAF_TABLE) {
    for (const [, i] of segs) ws.posVal.fill(packed.value[i], grown.start[i], grown.end[i]);
    ws.jobI[J_LEAVES] = 0;
    return;
  }
  segs.sort((x, y) => x[0] - y[0]);
  const lt = ws.leafTable;
  const F = LEAF_FIELDS;
  for (let l = 0; l < segs.length; l++) {
    const [start, i, split] = segs[l];
    const o = F * l;
    lt[o] = start;
    if (split) {
      const c = grown.left[i];
      lt[o + 1] = grown.feature[i];
      lt[o + 2] = packed.value[c];
      lt[o + 3] = packed.value[c + 1];
      lt[o + 4] = grown.bin[i];
      lt[o + 5] = grown.defaultLeft[i];
    } else {
      lt[o + 1] = -1;
      lt[o + 2] = packed.value[i];
    }
  }
  ws.jobI[J_LEAVES] = segs.length;
}

/** Rows of this tree into idx[0..n) (ascending), marking them in inSample; all rows at rate 1. */
function sampleRows(
  idx: Int32Array,
  inSample: Uint8Array,
  rows: number,
  rate: number,
  rng: Rng,
): number {
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const take = rate >= 1 || rng.next() < rate;
    inSample[r] = take ? 1 : 0;
    if (take) idx[n++] = r;
  }
  if (n === 0) {
    // an empty sample would grow nothing; keep one row so the round still counts
    idx[0] = rng.int(rows);
    inSample[idx[0]] = 1;
    n = 1;
  }
  return n;
}

/** k of the items, chosen uniformly, in ascending order. */
export function sampleSorted(items: readonly number[], k: number, rng: Rng): Int32Array {
  const a = Int32Array.from(items);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.slice(0, k).sort();
}
