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
    const { feature, threshold, left, defaultLeft, value, treeStart } = this;
    const sums = new Float64Array(Math.min(PREDICT_BLOCK, Math.max(r1 - r0, 0)));
    for (let b0 = r0; b0 < r1; b0 += PREDICT_BLOCK) {
      const b1 = Math.min(b0 + PREDICT_BLOCK, r1);
      sums.fill(0);
      for (let t = t0; t < t1; t++) {
        const root = treeStart[t];
        for (let r = b0; r < b1; r++) {
          const off = r * cols;
          let i = root;
          let f = feature[i];
          while (f >= 0) {
            const x = values[off + f];
            const l = left[i];
            i = x <= threshold[i] ? l : x > threshold[i] ? l + 1 : defaultLeft[i] === 1 ? l : l + 1;
            f = feature[i];
          }
          sums[r - b0] += value[i];
        }
      }
      for (let r = b0; r < b1; r++) out[r] += scale * sums[r - b0];
    }
  }
}

/** Rows per prediction block: their feature values (a few hundred KB) stay in cache. */
const PREDICT_BLOCK = 1024;
