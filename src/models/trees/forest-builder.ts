/**
 * Growing the forest's trees: the same grower as boosting, with bootstrap row weights, per-node
 * feature sampling, no shrinkage and no histogram subtraction; a leaf's value is its weighted
 * label mean, i.e. the class probability. Trees are independent, so threads (the caller and
 * each worker, see tree-worker.ts) take tree numbers from a shared Atomics counter; tree t
 * draws only from rngFor(seed, t), so a tree is the same whichever thread grows it.
 *
 * Out-of-bag predictions are summed per row as integers (leaf value x 2^32, rounded), so the
 * per-thread sums add up to the same total in any order: the OOB score does not depend on the
 * thread count either.
 */
import { rngFor } from "../../core/index.js";
import type { BinMapper } from "./binning.js";
import { Grower, type GrowParams } from "./grower.js";
import { PackedForest } from "./packed-tree.js";
import { createWorkspace, inProcessRunner } from "./workspace.js";

export interface ForestTask {
  rows: number;
  cols: number;
  /** Bin codes (shared between threads), row-major and column-major (bin-matrix.ts). */
  bins: Uint8Array;
  binsT: Uint8Array;
  /** 0/1 labels as floats (shared). */
  labels: Float32Array;
  mapper: BinMapper;
  /** Features that can split (non-constant). */
  usable: Int32Array;
  trees: number;
  seed: number;
  /** Bootstrap (draw rows with replacement) or sample a fraction without replacement. */
  bootstrap: boolean;
  /** Rows drawn per tree, as a fraction of the table. */
  sampleFraction: number;
  params: GrowParams;
}

export interface ForestPart {
  /** Per row: sum of OOB leaf values x 2^32 (rounded), and the number of OOB trees. */
  oobSum: Float64Array;
  oobCount: Uint32Array;
}

export const OOB_SCALE = 2 ** 32;

/**
 * Grow trees until the shared counter passes task.trees. `onTree` sees each tree as soon as it
 * is grown (workers post it back).
 */
export function growForestPart(
  task: ForestTask,
  counter: Int32Array,
  onTree: (t: number, forest: PackedForest, gain: Float64Array) => void,
): Pick<ForestPart, "oobSum" | "oobCount"> {
  const { rows, cols, labels } = task;
  // This thread's own copy of the bin codes: the grower moves rows around in it (moving-rows
  // mode), so each tree starts by gathering its in-bag rows.
  const local = new Uint8Array(rows * cols);
  const ws = createWorkspace({
    rows,
    cols,
    bins: local,
    binsT: local,
    nBins: task.mapper.nBins,
    missingBin: task.mapper.missingBin,
    withCount: task.params.minRowsPerLeaf > 1,
    slots: 1,
    params: task.params,
    shared: false,
  });
  const grower = new Grower(ws, inProcessRunner, task.params, Number.POSITIVE_INFINITY, true);
  const orig = grower.orig as Int32Array;
  const src32 = new Uint32Array(task.bins.buffer, task.bins.byteOffset, (rows * cols) >> 2);
  const w = cols >> 2;
  const weights = new Float32Array(rows);
  const oobSum = new Float64Array(rows);
  const oobCount = new Uint32Array(rows);
  const draws = Math.max(1, Math.round(task.sampleFraction * rows));
  for (;;) {
    const t = Atomics.add(counter, 0, 1);
    if (t >= task.trees) break;
    const rng = rngFor(task.seed, t);
    drawRows(weights, rows, draws, task.bootstrap, rng.next.bind(rng));
    // in-bag rows in ascending order; squared error at raw 0 gives g = -y w, h = w
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const wt = weights[r];
      if (wt === 0) continue;
      for (let q = 0; q < w; q++) ws.bins32[n * w + q] = src32[r * w + q];
      ws.gh[2 * n] = -labels[r] * wt;
      ws.gh[2 * n + 1] = wt;
      ws.idx[n] = n;
      orig[n] = r;
      n++;
    }
    const grown = grower.grow(n, task.usable, rng);
    const forest = PackedForest.fromGrown([grown], task.mapper);
    // out-of-bag rows: walk the tree on their bins (same path as on the float values)
    for (let r = 0; r < rows; r++) {
      if (weights[r] > 0) continue;
      let i = 0;
      while (grown.feature[i] >= 0) {
        const f = grown.feature[i];
        const b = task.bins[r * cols + f];
        const left =
          b === task.mapper.missingBin[f] ? grown.defaultLeft[i] === 1 : b <= grown.bin[i];
        i = grown.left[i] + (left ? 0 : 1);
      }
      oobSum[r] += Math.round(forest.value[i] * OOB_SCALE);
      oobCount[r]++;
    }
    const gain = new Float64Array(cols);
    for (let i = 0; i < grown.feature.length; i++)
      if (grown.feature[i] >= 0) gain[grown.feature[i]] += grown.gain[i];
    onTree(t, forest, gain);
  }
  return { oobSum, oobCount };
}

/** Row weights of one tree: bootstrap counts, or 0/1 for a sample without replacement. */
function drawRows(
  w: Float32Array,
  rows: number,
  draws: number,
  bootstrap: boolean,
  next: () => number,
): void {
  w.fill(0);
  if (bootstrap) {
    for (let k = 0; k < draws; k++) w[Math.floor(next() * rows)] += 1;
    return;
  }
  // selection sampling: exactly min(draws, rows) distinct rows
  let need = Math.min(draws, rows);
  for (let r = 0; r < rows && need > 0; r++) {
    if ((rows - r) * next() < need) {
      w[r] = 1;
      need--;
    }
  }
}
