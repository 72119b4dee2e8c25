/**
 * ForestSpecializer: prediction for a batch of rows that share some columns' values (a
 * recommendation scores a few hundred candidate movies for one user: every user-only column is
 * the same in all rows). Every split on a shared column goes the same way for every row, so it
 * is resolved once for the batch: the forest is copied keeping only the nodes a row of the batch
 * can still reach, with each shared-column split replaced by the child its value picks
 * (`specialize`). The rows then walk these shallower trees (on the ml-latest-small gbdt half of
 * the splits are on user columns; a list's specialised forest has ~1,200 of 14,000 nodes and
 * 30% fewer levels, and fits the L1/L2 cache).
 *
 * The walk is PredictLayout's (same record format, fixed number of steps per tree, a leaf steps
 * to itself), so the rows reach the same leaves and add the same float32 leaf values in the same
 * tree order: scores are bit-identical to walking the whole forest. When no row has a NaN in a
 * column the specialised trees split on, the walk drops the NaN arithmetic of each step.
 */
import type { PredictLayout } from "./packed-tree.js";

/** Fewest rows for which looking for shared columns pays (a few µs per batch). */
export const SPECIALIZE_MIN_ROWS = 32;
/** Rows per block of the walk (feature values and partial sums stay in cache). */
const BLOCK = 4096;

export class ForestSpecializer {
  /** Columns some split reads (the only ones worth checking). */
  private readonly used: Int32Array;
  private readonly shared: Uint8Array;
  private rec: Int32Array;
  private recF: Float32Array;
  private leaf: Float32Array;
  private readonly roots: Int32Array;
  private readonly depth: Int32Array;
  /** Columns some split of the current specialised forest reads, for the NaN check. */
  private readonly splitCols: Uint8Array;
  private stack: Int32Array;

  constructor(private readonly layout: PredictLayout) {
    const rec = layout.rec;
    let cols = 0;
    for (let k = 0; k < rec.length; k += 4)
      if (rec[k + 2] !== k && rec[k] >= cols) cols = rec[k] + 1;
    const flags = new Uint8Array(cols);
    for (let k = 0; k < rec.length; k += 4) if (rec[k + 2] !== k) flags[rec[k]] = 1;
    const used: number[] = [];
    flags.forEach((f, j) => {
      if (f === 1) used.push(j);
    });
    this.used = Int32Array.from(used);
    this.shared = new Uint8Array(cols);
    this.splitCols = new Uint8Array(cols);
    this.rec = new Int32Array(rec.length);
    this.recF = new Float32Array(this.rec.buffer);
    this.leaf = new Float32Array(rec.length / 4);
    this.roots = new Int32Array(layout.trees);
    this.depth = new Int32Array(layout.trees);
    this.stack = new Int32Array(64);
  }

  /**
   * out[r] += scale * (sum of leaf values of trees [t0, t1)) for rows [r0, r1), as
   * PredictLayout.addRaw, bit-identical; false (nothing done) when the rows share no column
   * a split reads.
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
  ): boolean {
    if (r1 - r0 < 2 || this.findShared(values, cols, r0, r1) === 0) return false;
    this.specialize(values, r0 * cols, t0, t1);
    const finite = this.finite(values, cols, r0, r1);
    const sums = new Float64Array(Math.min(BLOCK, r1 - r0));
    for (let b0 = r0; b0 < r1; b0 += BLOCK) {
      const b1 = Math.min(b0 + BLOCK, r1);
      sums.fill(0);
      if (finite) this.walkFinite(values, cols, b0, b1, t0, t1, sums);
      else this.walk(values, cols, b0, b1, t0, t1, sums);
      for (let r = b0; r < b1; r++) out[r] += scale * sums[r - b0];
    }
    return true;
  }

  /** Flags the used columns whose value is the same (same bits) in every row; their count. */
  private findShared(values: Float32Array, cols: number, r0: number, r1: number): number {
    const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
    const { used, shared } = this;
    let n = 0;
    const first = r0 * cols;
    for (let u = 0; u < used.length; u++) {
      const j = used[u];
      const v = bits[first + j];
      let r = r0 + 1;
      for (let o = first + cols + j; r < r1 && bits[o] === v; r++, o += cols);
      const same = r === r1 ? 1 : 0;
      shared[j] = same;
      n += same;
    }
    return n;
  }

  /** No NaN in any row in a column the specialised trees split on. */
  private finite(values: Float32Array, cols: number, r0: number, r1: number): boolean {
    const { used, splitCols } = this;
    for (let u = 0; u < used.length; u++) {
      const j = used[u];
      if (splitCols[j] === 0) continue;
      for (let o = r0 * cols + j, r = r0; r < r1; r++, o += cols) {
        if (Number.isNaN(values[o])) return false;
      }
    }
    return true;
  }

  /**
   * Copies trees [t0, t1) keeping the nodes the batch can reach: a split on a shared column
   * becomes the subtree its value (row at values[off]) picks. Same record format as the
   * layout; sibling pairs stay adjacent.
   */
  private specialize(values: Float32Array, off: number, t0: number, t1: number): void {
    const src = this.layout.rec;
    const srcF = new Float32Array(src.buffer, src.byteOffset, src.length);
    const srcLeaf = this.layout.leaf;
    const { shared, splitCols, rec, recF, leaf, roots, depth } = this;
    splitCols.fill(0);
    // Resolves a source record through shared splits: the record a batch row meets there.
    const resolve = (k: number): number => {
      while (src[k + 2] !== k && shared[src[k]] === 1) {
        const x = values[off + src[k]];
        const t = srcF[k + 1];
        k = src[k + 2] + ((+(x > t) | (+!(x <= t) & src[k + 3])) << 2);
      }
      return k;
    };
    let o = 0;
    for (let t = t0; t < t1; t++) {
      // (destination record, source record, level) triples, depth-first
      let sp = 0;
      const push = (dst: number, from: number, level: number) => {
        if (sp + 3 > this.stack.length) {
          const s = new Int32Array(this.stack.length * 2);
          s.set(this.stack);
          this.stack = s;
        }
        this.stack[sp++] = dst;
        this.stack[sp++] = from;
        this.stack[sp++] = level;
      };
      roots[t] = o;
      push(o, resolve(this.layout.roots[t]), 0);
      o += 4;
      let deepest = 0;
      while (sp > 0) {
        const level = this.stack[--sp];
        const from = this.stack[--sp];
        const dst = this.stack[--sp];
        if (src[from + 2] === from) {
          rec[dst] = 0;
          recF[dst + 1] = Number.POSITIVE_INFINITY;
          rec[dst + 2] = dst;
          rec[dst + 3] = 0;
          leaf[dst >> 2] = srcLeaf[from >> 2];
          if (level > deepest) deepest = level;
          continue;
        }
        const pair = o;
        o += 8;
        rec[dst] = src[from];
        recF[dst + 1] = srcF[from + 1];
        rec[dst + 2] = pair;
        rec[dst + 3] = src[from + 3];
        splitCols[src[from]] = 1;
        const child = src[from + 2];
        // the right child pushed first: the left subtree is laid out first
        push(pair + 4, resolve(child + 4), level + 1);
        push(pair, resolve(child), level + 1);
      }
      depth[t] = deepest;
    }
  }

  /** PredictLayout.addRaw's walk on the specialised trees (NaN goes as the split says). */
  private walk(
    values: Float32Array,
    cols: number,
    b0: number,
    b1: number,
    t0: number,
    t1: number,
    sums: Float64Array,
  ): void {
    const { rec, recF, roots, leaf, depth } = this;
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

  /** walk() for rows without NaN where the trees split: one comparison per step. */
  private walkFinite(
    values: Float32Array,
    cols: number,
    b0: number,
    b1: number,
    t0: number,
    t1: number,
    sums: Float64Array,
  ): void {
    const { rec, recF, roots, leaf, depth } = this;
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
          // a leaf reads column 0 against +Infinity: never greater, it stays
          i0 = rec[i0 + 2] + (+(values[o0 + rec[i0]] > recF[i0 + 1]) << 2);
          i1 = rec[i1 + 2] + (+(values[o1 + rec[i1]] > recF[i1 + 1]) << 2);
          i2 = rec[i2 + 2] + (+(values[o2 + rec[i2]] > recF[i2 + 1]) << 2);
          i3 = rec[i3 + 2] + (+(values[o3 + rec[i3]] > recF[i3 + 1]) << 2);
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
        for (let d = 0; d < steps; d++)
          i0 = rec[i0 + 2] + (+(values[o0 + rec[i0]] > recF[i0 + 1]) << 2);
        sums[r - b0] += leaf[i0 >> 2];
      }
    }
  }
}
