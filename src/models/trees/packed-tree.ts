/**
 * Trained trees packed into flat typed arrays: the prediction state. Prediction, TreeSHAP and
 * serialisation read only these. All trees of a forest share one set of arrays; tree t owns
 * nodes treeStart[t] .. treeStart[t+1]-1, its root first. Node i:
 *
 *   feature[i]   split feature, -1 = leaf
 *   threshold[i] x <= threshold goes to left[i], x > threshold to left[i] + 1 (float32)
 *   defaultLeft  where NaN goes (1 = left)
 *   value[i]     leaf value (raw score units, shrinkage applied)
 *   cover[i]     hessian sum of the training rows that reached the node (TreeSHAP weights)
 */
import type { BinMapper } from "./binning.js";
import { ForestSpecializer, SPECIALIZE_MIN_ROWS } from "./forest-specializer.js";
import type { GrownTree } from "./grower.js";

export class PackedForest {
  constructor(
    readonly treeStart: Int32Array,
    readonly feature: Int32Array,
    readonly threshold: Float32Array,
    readonly left: Int32Array,
    readonly defaultLeft: Uint8Array,
    readonly value: Float32Array,
    readonly cover: Float32Array,
  ) {}

  get trees(): number {
    return this.treeStart.length - 1;
  }

  get nodes(): number {
    return this.feature.length;
  }

  /** Pack grown trees (thresholds back from bins to float edges). */
  static fromGrown(trees: GrownTree[], mapper: BinMapper): PackedForest {
    let total = 0;
    for (const t of trees) total += t.feature.length;
    const treeStart = new Int32Array(trees.length + 1);
    const feature = new Int32Array(total);
    const threshold = new Float32Array(total);
    const left = new Int32Array(total);
    const defaultLeft = new Uint8Array(total);
    const value = new Float32Array(total);
    const cover = new Float32Array(total);
    let o = 0;
    trees.forEach((t, ti) => {
      treeStart[ti] = o;
      for (let i = 0; i < t.feature.length; i++) {
        const f = t.feature[i];
        feature[o + i] = f;
        if (f >= 0) {
          threshold[o + i] = mapper.edges[f][t.bin[i]];
          left[o + i] = o + t.left[i];
          defaultLeft[o + i] = t.defaultLeft[i];
        } else {
          left[o + i] = -1;
          value[o + i] = t.value[i];
        }
        cover[o + i] = t.cover[i];
      }
      o += t.feature.length;
    });
    treeStart[trees.length] = o;
    return new PackedForest(treeStart, feature, threshold, left, defaultLeft, value, cover);
  }

  /** Concatenate forests (tree order kept). */
  static concat(parts: PackedForest[]): PackedForest {
    let trees = 0;
    let nodes = 0;
    for (const p of parts) {
      trees += p.trees;
      nodes += p.nodes;
    }
    const out = new PackedForest(
      new Int32Array(trees + 1),
      new Int32Array(nodes),
      new Float32Array(nodes),
      new Int32Array(nodes),
      new Uint8Array(nodes),
      new Float32Array(nodes),
      new Float32Array(nodes),
    );
    let t0 = 0;
    let n0 = 0;
    for (const p of parts) {
      for (let t = 0; t < p.trees; t++) out.treeStart[t0 + t] = p.treeStart[t] + n0;
      out.feature.set(p.feature, n0);
      out.threshold.set(p.threshold, n0);
      for (let i = 0; i < p.nodes; i++) out.left[n0 + i] = p.left[i] < 0 ? -1 : p.left[i] + n0;
      out.defaultLeft.set(p.defaultLeft, n0);
      out.value.set(p.value, n0);
      out.cover.set(p.cover, n0);
      t0 += p.trees;
      n0 += p.nodes;
    }
    out.treeStart[trees] = n0;
    return out;
  }

  /** The first `n` trees. */
  slice(n: number): PackedForest {
    const end = this.treeStart[n];
    return new PackedForest(
      this.treeStart.slice(0, n + 1),
      this.feature.slice(0, end),
      this.threshold.slice(0, end),
      this.left.slice(0, end),
      this.defaultLeft.slice(0, end),
      this.value.slice(0, end),
      this.cover.slice(0, end),
    );
  }

  /** Leaf node reached by the row at values[off .. off + cols) in tree t. */
  leaf(t: number, values: ArrayLike<number>, off: number): number {
    const feature = this.feature;
    const threshold = this.threshold;
    const left = this.left;
    let i = this.treeStart[t];
    let f = feature[i];
    while (f >= 0) {
      const x = values[off + f];
      const l = left[i];
      i = x <= threshold[i] ? l : x > threshold[i] ? l + 1 : this.defaultLeft[i] === 1 ? l : l + 1;
      f = feature[i];
    }
    return i;
  }

  /**
   * out[r] += scale * (sum of leaf values of trees [t0, t1)) for rows [r0, r1) of a row-major
   * table. Rows go in blocks, and within a block tree by tree: one tree's nodes stay in cache
   * while the block's rows walk it (a forest of deep trees is far bigger than the cache, so
   * walking every tree per row would miss on nearly every node). Each row still adds its leaf
   * values in tree order, starting from 0, so the result does not depend on the blocking.
   * The walk reads the forest's prediction layout (below), built once per forest. A batch whose
   * rows share some split columns' values (one user's candidates) walks a copy of the forest
   * with those splits resolved (ForestSpecializer), with the same result.
   */
  addRaw(
    values: Float32Array,
    cols: number,
    r0: number,
    r1: number,
    t0: number,
    t1: number,
    scale: number,
    out: Float64Array,
  ): void {
    const layout = this.predictLayout();
    if (r1 - r0 >= SPECIALIZE_MIN_ROWS) {
      this.specializer ??= new ForestSpecializer(layout);
      if (this.specializer.addRaw(values, cols, r0, r1, t0, t1, scale, out)) return;
    }
    layout.addRaw(values, cols, r0, r1, t0, t1, scale, out);
  }

  private layout: PredictLayout | null = null;
  private specializer: ForestSpecializer | null = null;

  /** The prediction layout (built on first use, in shared memory for the prediction pool). */
  predictLayout(): PredictLayout {
    this.layout ??= PredictLayout.of(this);
    return this.layout;
  }
}

/**
 * Rows per prediction block: their feature values stay in cache while every tree walks them,
 * and a deep forest, far bigger than the cache, is read from memory once per block (4096 rather
 * than 1024 rows: 30% less CPU on a depth-20 forest, the same for depth-6 boosting).
 */
const PREDICT_BLOCK = 4096;
/** Int32 words per node record. */
const REC = 4;

/**
 * The forest re-laid for prediction only: one 16-byte record per node instead of five arrays,
 *
 *   rec[4i]     split feature (0 for a leaf)
 *   rec[4i+1]   threshold (float32 bits); +Infinity for a leaf
 *   rec[4i+2]   record index (x 4) of the left child, the right child follows it; a leaf's own
 *   rec[4i+3]   1 = NaN goes right (0 for a leaf)
 *
 * so that one step is the same arithmetic at every node, with no branch on the data:
 * next = left + 4 * (x > threshold | (x is NaN & nanRight)). A leaf steps to itself, so a walk
 * of exactly the tree's depth ends on the row's leaf whatever its depth, and four rows walk
 * side by side: their independent load chains overlap where a branchy walk stalls on a
 * mispredicted compare at every level (measured on the ml-latest-small gbdt, 151 trees of depth
 * 6: about 40 -> 20 ns of CPU per row and tree; the depth-20 forest 150 -> 90-120 ns).
 * Leaf values sit in `leaf` (by record number). Each tree's sibling pairs are depth-first (a
 * pair's children right after it, the left subtree first), so a walk down a deep tree stays in
 * few cache lines. Same leaves, same values: scores are bit-identical to walking the packed
 * arrays.
 */
export class PredictLayout {
  constructor(
    /** Record index (x 4) of each tree's root. */
    readonly roots: Int32Array,
    readonly rec: Int32Array,
    /** Leaf value by record number (0 for split nodes). */
    readonly leaf: Float32Array,
    /** Depth of each tree (steps from the root to its deepest leaf). */
    readonly depth: Int32Array,
  ) {
    this.recF = new Float32Array(rec.buffer, rec.byteOffset, rec.length);
  }

  readonly recF: Float32Array;

  static of(f: PackedForest): PredictLayout {
    const n = f.nodes;
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    const rec = new Int32Array(shared(n * REC * 4));
    const recF = new Float32Array(rec.buffer);
    const leaf = new Float32Array(shared(n * 4));
    const roots = new Int32Array(shared(f.trees * 4));
    const depth = new Int32Array(shared(f.trees * 4));
    const pos = new Int32Array(n);
    const stack: number[] = [];
    const depths: number[] = [];
    let o = 0;
    for (let t = 0; t < f.trees; t++) {
      // place the root, then sibling pairs depth-first (left subtree first)
      const root = f.treeStart[t];
      pos[root] = o++;
      roots[t] = pos[root] * REC;
      stack.push(root);
      depths.push(0);
      let deepest = 0;
      while (stack.length > 0) {
        const i = stack.pop() as number;
        const d = depths.pop() as number;
        if (d > deepest) deepest = d;
        if (f.feature[i] < 0) continue;
        const l = f.left[i];
        pos[l] = o++;
        pos[l + 1] = o++;
        // right pushed first so the left subtree is laid out (popped) first
        stack.push(l + 1, l);
        depths.push(d + 1, d + 1);
      }
      depth[t] = deepest;
    }
    for (let i = 0; i < n; i++) {
      const k = pos[i] * REC;
      const feat = f.feature[i];
      if (feat >= 0) {
        rec[k] = feat;
        recF[k + 1] = f.threshold[i];
        rec[k + 2] = pos[f.left[i]] * REC;
        rec[k + 3] = f.defaultLeft[i] === 1 ? 0 : 1;
      } else {
        rec[k] = 0;
        recF[k + 1] = Number.POSITIVE_INFINITY;
        rec[k + 2] = k;
        rec[k + 3] = 0;
        leaf[pos[i]] = f.value[i];
      }
    }
    return new PredictLayout(roots, rec, leaf, depth);
  }

  get trees(): number {
    return this.roots.length;
  }

  /** PackedForest.addRaw on this layout. */
  addRaw(
    values: Float32Array,
    cols: number,
    r0: number,
    r1: number,
    t0: number,
    t1: number,
    scale: number,
    out: Float64Array,
  ): void {
    const sums = new Float64Array(Math.min(PREDICT_BLOCK, Math.max(r1 - r0, 0)));
    for (let b0 = r0; b0 < r1; b0 += PREDICT_BLOCK) {
      const b1 = Math.min(b0 + PREDICT_BLOCK, r1);
      sums.fill(0);
      walkLayout(this, values, cols, b0, b1, t0, t1, sums);
      for (let r = b0; r < b1; r++) out[r] += scale * sums[r - b0];
    }
  }
}

/** The arrays of a depth-first walk layout: PredictLayout's, or a specialised copy of them. */
export interface WalkArrays {
  readonly roots: Int32Array;
  readonly rec: Int32Array;
  /** rec's bytes as float32 (the threshold slot). */
  readonly recF: Float32Array;
  readonly leaf: Float32Array;
  readonly depth: Int32Array;
}

/**
 * Adds the leaf values of trees [t0, t1) for rows [b0, b1) to sums[r - b0]: four rows side by
 * side, each tree walked for its depth (leaves step to themselves), NaN going the split's way.
 */
export function walkLayout(
  lay: WalkArrays,
  values: Float32Array,
  cols: number,
  b0: number,
  b1: number,
  t0: number,
  t1: number,
  sums: Float64Array,
): void {
  const { rec, recF, roots, leaf, depth } = lay;
  for (let t = t0; t < t1; t++) {
    const root = roots[t];
    const steps = depth[t];
    let r = b0;
    for (; r + 4 <= b1; r += 4) {
      const o0 = r * cols;
      const o1 = o0 + cols;
      const o2 = o1 + cols;
      const o3 = o2 + cols;
      let i0 = root;
      let i1 = root;
      let i2 = root;
      let i3 = root;
      for (let d = 0; d < steps; d++) {
        const x0 = values[o0 + rec[i0]];
        const x1 = values[o1 + rec[i1]];
        const x2 = values[o2 + rec[i2]];
        const x3 = values[o3 + rec[i3]];
        // booleans as 0/1 bits (TurboFan: flag moves, not branches); !(x <= t) alone is x > t or NaN
        i0 = rec[i0 + 2] + ((+(x0 > recF[i0 + 1]) | (+!(x0 <= recF[i0 + 1]) & rec[i0 + 3])) << 2);
        i1 = rec[i1 + 2] + ((+(x1 > recF[i1 + 1]) | (+!(x1 <= recF[i1 + 1]) & rec[i1 + 3])) << 2);
        i2 = rec[i2 + 2] + ((+(x2 > recF[i2 + 1]) | (+!(x2 <= recF[i2 + 1]) & rec[i2 + 3])) << 2);
        i3 = rec[i3 + 2] + ((+(x3 > recF[i3 + 1]) | (+!(x3 <= recF[i3 + 1]) & rec[i3 + 3])) << 2);
      }
      const s = r - b0;
      sums[s] += leaf[i0 >> 2];
      sums[s + 1] += leaf[i1 >> 2];
      sums[s + 2] += leaf[i2 >> 2];
      sums[s + 3] += leaf[i3 >> 2];
    }
    for (; r < b1; r++) {
      const o0 = r * cols;
      let i0 = root;
      for (let d = 0; d < steps; d++) {
        const x0 = values[o0 + rec[i0]];
        i0 = rec[i0 + 2] + ((+(x0 > recF[i0 + 1]) | (+!(x0 <= recF[i0 + 1]) & rec[i0 + 3])) << 2);
      }
      sums[r - b0] += leaf[i0 >> 2];
    }
  }
}
