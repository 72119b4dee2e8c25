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
import { type PredictLayout, walkLayout } from "./packed-tree.js";
import { WALK_LANES, type Walk4, walkKernel } from "./wasm-walk.js";

/** Fewest rows for which looking for shared columns pays (a few µs per batch). */
export const SPECIALIZE_MIN_ROWS = 32;
/** Rows per block of the walk (feature values and partial sums stay in cache). */
const BLOCK = 4096;
/** Rows per call of the WebAssembly walk (copied into its memory). */
const WASM_BLOCK = 1024;

/** The WebAssembly walk and its memory: records at 0, then leaves, roots, depths, rows, sums. */
interface Kernel {
  walk4: Walk4;
  cols: number;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  leafAt: number;
  rootsAt: number;
  depthAt: number;
  rowsAt: number;
  sumsAt: number;
}

export class ForestSpecializer {
  /** Columns some split reads (the only ones worth checking). */
  private readonly used: Int32Array;
  private readonly shared: Uint8Array;
  private rec: Int32Array;
  private recF: Float32Array;
  private leaf: Float32Array;
  private readonly roots: Int32Array;
  private readonly depth: Int32Array;
  /** Scratch: candidate columns. */
  private readonly cand: Int32Array;
  private readonly srcF: Float32Array;
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
    this.cand = new Int32Array(used.length);
    this.srcF = new Float32Array(rec.buffer, rec.byteOffset, rec.length);
    this.rec = new Int32Array(rec.length);
    this.recF = new Float32Array(this.rec.buffer);
    this.leaf = new Float32Array(rec.length / 4);
    this.roots = new Int32Array(layout.trees);
    this.depth = new Int32Array(layout.trees);
    this.stack = new Int32Array(64);
  }

  /** Walk in WebAssembly where available (false: JavaScript; for tests). */
  useWasm = true;
  /** Which walk the last specialised batch took (for tests). */
  lastWalk: "wasm" | "js" | null = null;
  private kernelState: Kernel | null | undefined;

  /** The kernel for rows of `cols` values (a new memory when cols changes), or null. */
  private kernel(cols: number): Kernel | null {
    if (
      this.kernelState !== undefined &&
      (this.kernelState === null || this.kernelState.cols === cols)
    )
      return this.kernelState;
    const recBytes = this.rec.length * 4;
    const leafAt = recBytes;
    const rootsAt = leafAt + this.leaf.length * 4;
    const depthAt = rootsAt + this.roots.length * 4;
    const rowsAt = Math.ceil((depthAt + this.depth.length * 4) / 16) * 16;
    const padded = WASM_BLOCK + WALK_LANES;
    const sumsAt = rowsAt + Math.ceil((padded * cols * 4) / 16) * 16;
    const k = walkKernel(sumsAt + padded * 8);
    if (!k) {
      this.kernelState = null;
      return null;
    }
    const buf = k.memory.buffer;
    this.kernelState = {
      walk4: k.walk4,
      cols,
      i32: new Int32Array(buf),
      f32: new Float32Array(buf),
      f64: new Float64Array(buf),
      leafAt,
      rootsAt,
      depthAt,
      rowsAt,
      sumsAt,
    };
    return this.kernelState;
  }

  /** walkFinite in WebAssembly, into sums (rows [b0, b1), at most WASM_BLOCK). */
  private walkWasm(
    k: Kernel,
    values: Float32Array,
    cols: number,
    b0: number,
    b1: number,
    t0: number,
    t1: number,
    sums: Float64Array,
  ): void {
    const n = b1 - b0;
    const n4 = Math.ceil(n / WALK_LANES) * WALK_LANES;
    const ro = k.rowsAt >> 2;
    k.f32.set(values.subarray(b0 * cols, b1 * cols), ro);
    // pad to a multiple of 4 rows with copies of the last row (their sums are not read)
    for (let r = n; r < n4; r++)
      k.f32.copyWithin(ro + r * cols, ro + (n - 1) * cols, ro + n * cols);
    const so = k.sumsAt >> 3;
    k.f64.fill(0, so, so + n4);
    k.walk4(k.rowsAt, cols * 4, n4, t0, t1, k.rootsAt, k.depthAt, k.leafAt, k.sumsAt);
    for (let r = 0; r < n; r++) sums[r] = k.f64[so + r];
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
    const finite = this.finite(values, cols, r0, r1);
    const k = finite && this.useWasm ? this.kernel(cols) : null;
    if (k) {
      const rootsAt = k.rootsAt >> 2;
      const depthAt = k.depthAt >> 2;
      this.specialize(values, r0 * cols, t0, t1, k.i32, k.f32, k.leafAt >> 2, rootsAt, depthAt, 4);
      this.lastWalk = "wasm";
      const sums = new Float64Array(Math.min(WASM_BLOCK, r1 - r0));
      for (let b0 = r0; b0 < r1; b0 += WASM_BLOCK) {
        const b1 = Math.min(b0 + WASM_BLOCK, r1);
        this.walkWasm(k, values, cols, b0, b1, t0, t1, sums);
        for (let r = b0; r < b1; r++) out[r] += scale * sums[r - b0];
      }
      return true;
    }
    this.specialize(values, r0 * cols, t0, t1, this.rec, this.leaf, 0, -1, -1, 1);
    this.lastWalk = "js";
    const sums = new Float64Array(Math.min(BLOCK, r1 - r0));
    for (let b0 = r0; b0 < r1; b0 += BLOCK) {
      const b1 = Math.min(b0 + BLOCK, r1);
      sums.fill(0);
      if (finite) this.walkFinite(values, cols, b0, b1, t0, t1, sums);
      else {
        const { rec, recF, roots, leaf, depth } = this;
        walkLayout({ rec, recF, roots, leaf, depth }, values, cols, b0, b1, t0, t1, sums);
      }
      for (let r = b0; r < b1; r++) out[r] += scale * sums[r - b0];
    }
    return true;
  }

  /**
   * Flags the used columns whose value is the same (same bits) in every row; their count.
   * Row by row over the columns still in the running (most drop out at the second row).
   */
  private findShared(values: Float32Array, cols: number, r0: number, r1: number): number {
    const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
    const { used, shared, cand } = this;
    const first = r0 * cols;
    let n = 0;
    for (let u = 0; u < used.length; u++) {
      const j = used[u];
      shared[j] = 0;
      if (bits[first + cols + j] === bits[first + j]) cand[n++] = j;
    }
    for (let o = first + 2 * cols, end = r1 * cols; o < end && n > 0; o += cols) {
      let w = 0;
      for (let c = 0; c < n; c++) {
        const j = cand[c];
        if (bits[o + j] === bits[first + j]) cand[w++] = j;
      }
      n = w;
    }
    for (let c = 0; c < n; c++) shared[cand[c]] = 1;
    return n;
  }

  /** No NaN in any row in a used column that is not shared (shared ones are resolved). */
  private finite(values: Float32Array, cols: number, r0: number, r1: number): boolean {
    const { used, shared, cand } = this;
    let n = 0;
    for (let u = 0; u < used.length; u++) if (shared[used[u]] === 0) cand[n++] = used[u];
    for (let o = r0 * cols, end = r1 * cols; o < end; o += cols) {
      for (let c = 0; c < n; c++) if (Number.isNaN(values[o + cand[c]])) return false;
    }
    return true;
  }

  /**
   * Copies trees [t0, t1) keeping the nodes the batch can reach: a split on a shared column
   * becomes the subtree its value (row at values[off]) picks. The layout's record format with
   * sibling pairs adjacent, into rec (float view recF) from index 0: feature and child
   * references times `mul` (1: int32 indices for the JavaScript walk, 4: byte addresses for
   * the WebAssembly one); leaf values at leaf[leafAt + record index / 4]; roots and depths at
   * rec[rootsAt + t] and rec[depthAt + t], or this.roots / this.depth when those are -1.
   */
  private specialize(
    values: Float32Array,
    off: number,
    t0: number,
    t1: number,
    rec: Int32Array,
    leaf: Float32Array,
    leafAt: number,
    rootsAt: number,
    depthAt: number,
    mul: number,
  ): void {
    const src = this.layout.rec;
    const srcF = this.srcF;
    const srcLeaf = this.layout.leaf;
    const srcRoots = this.layout.roots;
    const shared = this.shared;
    const recF = new Float32Array(rec.buffer, rec.byteOffset, rec.length);
    const roots = rootsAt < 0 ? this.roots : rec;
    const depth = depthAt < 0 ? this.depth : rec;
    const ro = Math.max(rootsAt, 0);
    const dep = Math.max(depthAt, 0);
    let stack = this.stack;
    let o = 0;
    for (let t = t0; t < t1; t++) {
      // (destination record, source record, level) triples, depth-first; the source record
      // is resolved through shared splits when it is popped
      let sp = 0;
      roots[ro + t] = o * mul;
      stack[sp++] = o;
      stack[sp++] = srcRoots[t];
      stack[sp++] = 0;
      o += 4;
      let deepest = 0;
      while (sp > 0) {
        const level = stack[--sp];
        let from = stack[--sp];
        const dst = stack[--sp];
        while (src[from + 2] !== from && shared[src[from]] === 1) {
          const x = values[off + src[from]];
          const thr = srcF[from + 1];
          from = src[from + 2] + ((+(x > thr) | (+!(x <= thr) & src[from + 3])) << 2);
        }
        if (src[from + 2] === from) {
          rec[dst] = 0;
          recF[dst + 1] = Number.POSITIVE_INFINITY;
          rec[dst + 2] = dst * mul;
          rec[dst + 3] = 0;
          leaf[leafAt + (dst >> 2)] = srcLeaf[from >> 2];
          if (level > deepest) deepest = level;
          continue;
        }
        const pair = o;
        o += 8;
        rec[dst] = src[from] * mul;
        recF[dst + 1] = srcF[from + 1];
        rec[dst + 2] = pair * mul;
        rec[dst + 3] = src[from + 3];
        if (sp + 6 > stack.length) {
          const grown = new Int32Array(stack.length * 2);
          grown.set(stack);
          this.stack = grown;
          stack = grown;
        }
        // the right child pushed first: the left subtree is laid out first
        const child = src[from + 2];
        stack[sp++] = pair + 4;
        stack[sp++] = child + 4;
        stack[sp++] = level + 1;
        stack[sp++] = pair;
        stack[sp++] = child;
        stack[sp++] = level + 1;
      }
      depth[dep + t] = deepest;
    }
  }

  /** walkLayout() for rows without NaN where the trees split: one comparison per step. */
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
