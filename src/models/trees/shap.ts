/**
 * TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution for
 * tree ensembles", Algorithm 2): exact Shapley values of each feature for one row, in time
 * O(leaves x depth²) per tree, with node covers (hessian sums) as the background distribution.
 * Contributions plus the expected value (bias) sum to the raw score.
 *
 * The recursion keeps the "unique path" of features met from the root; each level works on its
 * own copy, laid out one after the other in shared scratch arrays:
 *
 *   path: [ level 0 (1 entry) | level 1 (2 entries) | level 2 (3 entries) | ... ]
 *   entry k of a level: feature, zero fraction (share of cover), one fraction (0/1: does the
 *   row follow this way), weight (the permutation weight of subsets of size k)
 */
import type { PackedForest } from "./packed-tree.js";

export class TreeShap {
  private readonly feat: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly w: Float64Array;
  private phi: Float64Array = new Float64Array(0);
  private x: ArrayLike<number> = [];
  private xOff = 0;
  private scale = 1;

  constructor(private readonly forest: PackedForest) {
    const d = maxDepth(forest);
    const size = ((d + 3) * (d + 4)) / 2 + 2;
    this.feat = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.w = new Float64Array(size);
  }

  /** Expected raw contribution of the trees (cover-weighted mean leaf value), times scale. */
  expectedValue(scale: number): number {
    const f = this.forest;
    let s = 0;
    for (let t = 0; t < f.trees; t++) {
      const root = f.treeStart[t];
      let e = 0;
      for (let i = root; i < f.treeStart[t + 1]; i++)
        if (f.feature[i] < 0) e += f.value[i] * f.cover[i];
      s += e / f.cover[root];
    }
    return s * scale;
  }

  /** Adds every tree's contributions for row values[off .. off+cols) into phi, times scale. */
  explain(values: ArrayLike<number>, off: number, phi: Float64Array, scale: number): void {
    this.phi = phi;
    this.x = values;
    this.xOff = off;
    this.scale = scale;
    for (let t = 0; t < this.forest.trees; t++) {
      this.recurse(this.forest.treeStart[t], 0, 0, 1, 1, -1);
    }
  }

  private recurse(
    node: number,
    parentBase: number,
    ud: number,
    pz: number,
    po: number,
    pf: number,
  ): void {
    const { feat, zero, one, w, forest } = this;
    const base = parentBase + ud + 1;
    for (let i = 0; i <= ud; i++) {
      feat[base + i] = feat[parentBase + i];
      zero[base + i] = zero[parentBase + i];
      one[base + i] = one[parentBase + i];
      w[base + i] = w[parentBase + i];
    }
    this.extend(base, ud, pz, po, pf);
    const f = forest.feature[node];
    if (f < 0) {
      const v = forest.value[node] * this.scale;
      for (let i = 1; i <= ud; i++) {
        const s = this.unwoundSum(base, ud, i);
        this.phi[feat[base + i]] += s * (one[base + i] - zero[base + i]) * v;
      }
      return;
    }
    const l = forest.left[node];
    const x = this.x[this.xOff + f];
    const thr = forest.threshold[node];
    const goLeft = x <= thr ? true : x > thr ? false : forest.defaultLeft[node] === 1;
    const hot = goLeft ? l : l + 1;
    const cold = goLeft ? l + 1 : l;
    const c = forest.cover[node];
    let iz = 1;
    let io = 1;
    let k = 1;
    while (k <= ud && feat[base + k] !== f) k++;
    if (k <= ud) {
      iz = zero[base + k];
      io = one[base + k];
      this.unwind(base, ud, k);
      ud--;
    }
    this.recurse(hot, base, ud + 1, (forest.cover[hot] / c) * iz, io, f);
    this.recurse(cold, base, ud + 1, (forest.cover[cold] / c) * iz, 0, f);
  }

  private extend(base: number, ud: number, pz: number, po: number, pf: number): void {
    const { feat, zero, one, w } = this;
    feat[base + ud] = pf;
    zero[base + ud] = pz;
    one[base + ud] = po;
    w[base + ud] = ud === 0 ? 1 : 0;
    for (let i = ud - 1; i >= 0; i--) {
      w[base + i + 1] += (po * w[base + i] * (i + 1)) / (ud + 1);
      w[base + i] = (pz * w[base + i] * (ud - i)) / (ud + 1);
    }
  }

  /** Remove entry k from the path at base (length ud + 1), undoing its extend. */
  private unwind(base: number, ud: number, k: number): void {
    const { feat, zero, one, w } = this;
    const o = one[base + k];
    const z = zero[base + k];
    let next = w[base + ud];
    for (let i = ud - 1; i >= 0; i--) {
      if (o !== 0) {
        const tmp = w[base + i];
        w[base + i] = (next * (ud + 1)) / ((i + 1) * o);
        next = tmp - (w[base + i] * z * (ud - i)) / (ud + 1);
      } else {
        w[base + i] = (w[base + i] * (ud + 1)) / (z * (ud - i));
      }
    }
    for (let i = k; i < ud; i++) {
      feat[base + i] = feat[base + i + 1];
      zero[base + i] = zero[base + i + 1];
      one[base + i] = one[base + i + 1];
    }
  }

  /** Total weight of the path with entry k unwound, without changing the path. */
  private unwoundSum(base: number, ud: number, k: number): number {
    const { zero, one, w } = this;
    const o = one[base + k];
    const z = zero[base + k];
    let total = 0;
    if (o !== 0) {
      let next = w[base + ud];
      for (let i = ud - 1; i >= 0; i--) {
        const tmp = (next * (ud + 1)) / ((i + 1) * o);
        total += tmp;
        next = w[base + i] - (tmp * z * (ud - i)) / (ud + 1);
      }
    } else {
      for (let i = ud - 1; i >= 0; i--) total += (w[base + i] * (ud + 1)) / (z * (ud - i));
    }
    return total;
  }
}

/** Deepest root-to-leaf path (edges) over all trees. */
export function maxDepth(f: PackedForest): number {
  let best = 0;
  const depth = new Int32Array(f.nodes);
  for (let t = 0; t < f.trees; t++) {
    // children always come after their parent, so one forward pass sets every depth
    for (let i = f.treeStart[t]; i < f.treeStart[t + 1]; i++) {
      if (f.feature[i] >= 0) {
        const d = (i === f.treeStart[t] ? 0 : depth[i]) + 1;
        depth[f.left[i]] = d;
        depth[f.left[i] + 1] = d;
        if (d > best) best = d;
      }
    }
    depth[f.treeStart[t]] = 0;
  }
  return best;
}
