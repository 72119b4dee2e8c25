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
 *
 * A batch of up to WASM_ROWS rows is done in WebAssembly (wasm-walk.ts) once its rows are
 * copied into the kernel's memory: the scan for shared columns, NaN and each column's range
 * (SIMD, four columns at a time), the specialised copy (from a copy of the forest kept in the
 * kernel's memory), which there also resolves a split whose threshold lies outside its
 * column's range in the batch (every row goes the same way: a list's candidates span a narrow
 * range of some columns; 18% fewer steps on the ml-latest-small gbdt), and the walk, eight
 * rows side by side over only the columns left to split on. The JavaScript path (no
 * WebAssembly, NaN where the trees split, larger batches) resolves shared columns only; the
 * leaves, and so the scores, are the same.
 */
import { type PredictLayout, walkLayout } from "./packed-tree.js";
import { LEAF_FEATURE, SCAN_VECS, WALK_LANES, type WalkKernel, walkKernel } from "./wasm-walk.js";

/** Fewest rows for which looking for shared columns pays (a few µs per batch). */
export const SPECIALIZE_MIN_ROWS = 32;
/** Rows per block of the walk (feature values and partial sums stay in cache). */
const BLOCK = 4096;
/** Most rows the WebAssembly path takes (copied into its memory at once; more walk in JavaScript). */
const WASM_ROWS = 4096;

/**
 * The WebAssembly kernel (wasm-walk.ts) and its memory: specialised records at 0, their leaf
 * values, roots and depths; the source forest in specialize's record format and its roots; the
 * scan's column flags; specialize's stack; the rows; the sums.
 */
interface Kernel {
  fns: WalkKernel;
  cols: number;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  leafAt: number;
  rootsAt: number;
  depthAt: number;
  srcRootsAt: number;
  eqAt: number;
  nanAt: number;
  minAt: number;
  maxAt: number;
  colsAt: number;
  mapAt: number;
  stackAt: number;
  rowsAt: number;
  groupsAt: number;
  sumsAt: number;
}

export class ForestSpecializer {
  /** Columns some split reads (the only ones worth checking). */
  private readonly used: Int32Array;
  private readonly shared: Uint8Array;
  private readonly rec: Int32Array;
  private readonly recF: Float32Array;
  private readonly leaf: Float32Array;
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
    const align = (x: number) => Math.ceil(x / 16) * 16;
    const src = this.layout;
    const trees = src.trees;
    const recBytes = src.rec.length * 4;
    const leafAt = recBytes;
    const rootsAt = align(leafAt + src.leaf.length * 4);
    const depthAt = rootsAt + trees * 4;
    const srcAt = align(depthAt + trees * 4);
    const srcRootsAt = srcAt + recBytes;
    const vecs = Math.ceil(cols / 4 / SCAN_VECS) * SCAN_VECS;
    const eqAt = align(srcRootsAt + trees * 4);
    const nanAt = eqAt + vecs * 16;
    const minAt = nanAt + vecs * 16;
    const maxAt = minAt + vecs * 16;
    const colsAt = maxAt + vecs * 16;
    const mapAt = colsAt + cols * 4;
    const stackAt = mapAt + cols * 4;
    let deepest = 0;
    for (let t = 0; t < trees; t++) deepest = Math.max(deepest, src.depth[t]);
    // a pop pushes two: at most one entry per level of the path, plus the root's
    const rowsAt = align(stackAt + 12 * (deepest + 2));
    const padded = WASM_ROWS + WALK_LANES;
    // (the scan's last pass may read past the last row)
    const groupsAt = align(rowsAt + padded * cols * 4 + 16 * SCAN_VECS);
    const sumsAt = align(groupsAt + padded * cols * 4 + 16);
    const fns = walkKernel(sumsAt + padded * 8);
    if (!fns) {
      this.kernelState = null;
      return null;
    }
    const buf = fns.memory.buffer;
    const k: Kernel = {
      fns,
      cols,
      i32: new Int32Array(buf),
      f32: new Float32Array(buf),
      f64: new Float64Array(buf),
      leafAt,
      rootsAt,
      depthAt,
      srcRootsAt,
      eqAt,
      nanAt,
      minAt,
      maxAt,
      colsAt,
      mapAt,
      stackAt,
      rowsAt,
      groupsAt,
      sumsAt,
    };
    // the source forest in specialize's format: byte addresses, a leaf's value in its record
    const rec = src.rec;
    const so = srcAt >> 2;
    for (let i = 0; i < rec.length; i += 4) {
      if (rec[i + 2] === i) {
        k.i32[so + i] = LEAF_FEATURE;
        k.f32[so + i + 1] = src.leaf[i >> 2];
        k.i32[so + i + 2] = srcAt + i * 4;
        k.i32[so + i + 3] = 0;
      } else {
        k.i32[so + i] = rec[i] * 4;
        k.i32[so + i + 1] = rec[i + 1];
        k.i32[so + i + 2] = srcAt + rec[i + 2] * 4;
        k.i32[so + i + 3] = rec[i + 3];
      }
    }
    for (let t = 0; t < trees; t++) k.i32[(srcRootsAt >> 2) + t] = srcAt + src.roots[t] * 4;
    this.kernelState = k;
    return k;
  }

  /**
   * The rows in WebAssembly: copied into the kernel's memory, scanned for shared columns and
   * NaN, the forest specialised and walked there. "none" when no column a split reads is
   * shared; "nan" (shared columns flagged) when a row has NaN where the trees still split.
   */
  private addRawWasm(
    k: Kernel,
    values: Float32Array,
    cols: number,
    r0: number,
    r1: number,
    t0: number,
    t1: number,
    scale: number,
    out: Float64Array,
  ): "done" | "none" | "nan" {
    const n = r1 - r0;
    const n8 = Math.ceil(n / WALK_LANES) * WALK_LANES;
    const ro = k.rowsAt >> 2;
    k.f32.set(values.subarray(r0 * cols, r1 * cols), ro);
    // pad to whole lanes with copies of the last row (their sums are not read)
    for (let r = n; r < n8; r++)
      k.f32.copyWithin(ro + r * cols, ro + (n - 1) * cols, ro + n * cols);
    k.fns.scan(k.rowsAt, cols * 4, n, Math.ceil(cols / 4), k.eqAt, k.nanAt, k.minAt, k.maxAt);
    // the shared columns, and the columns left to walk: their offsets in a group of eight rows
    const { used, shared } = this;
    const eq = k.eqAt >> 2;
    const nan = k.nanAt >> 2;
    const walkCols = k.colsAt >> 2;
    const map = k.mapAt >> 2;
    let nShared = 0;
    let nWalk = 0;
    let finite = true;
    for (let u = 0; u < used.length; u++) {
      const j = used[u];
      shared[j] = k.i32[eq + j] === 0 ? 0 : 1;
      nShared += shared[j];
      if (shared[j] === 1) continue;
      if (k.i32[nan + j] !== 0) finite = false;
      k.i32[walkCols + nWalk] = j * 4;
      k.i32[map + j] = nWalk * 4 * WALK_LANES;
      nWalk++;
    }
    if (nShared === 0) return "none";
    if (!finite) return "nan";
    const groups = n8 / WALK_LANES;
    const groupBytes = nWalk * 4 * WALK_LANES;
    k.fns.gather(k.rowsAt, cols * 4, groups, k.colsAt, nWalk, k.groupsAt);
    k.fns.specialize(
      k.rowsAt,
      k.srcRootsAt,
      t0,
      t1,
      k.eqAt,
      k.minAt,
      k.maxAt,
      k.mapAt,
      k.leafAt,
      k.rootsAt,
      k.depthAt,
      k.stackAt,
    );
    k.fns.walk(k.groupsAt, groupBytes, groups, t0, t1, k.rootsAt, k.depthAt, k.leafAt, k.sumsAt);
    const so = k.sumsAt >> 3;
    for (let r = 0; r < n; r++) out[r0 + r] += scale * k.f64[so + r];
    this.lastWalk = "wasm";
    return "done";
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
    if (r1 - r0 < 2) return false;
    const k = this.useWasm && r1 - r0 <= WASM_ROWS ? this.kernel(cols) : null;
    let finite = false;
    if (k) {
      const done = this.addRawWasm(k, values, cols, r0, r1, t0, t1, scale, out);
      if (done === "done") return true;
      if (done === "none") return false;
    } else {
      if (this.findShared(values, cols, r0, r1) === 0) return false;
      finite = this.finite(values, cols, r0, r1);
    }
    this.specialize(values, r0 * cols, t0, t1);
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
   * sibling pairs adjacent, into this.rec from index 0, leaf values into this.leaf by record
   * number, roots and depths into this.roots / this.depth. (wasm-walk.ts's specialize is the
   * same copy in WebAssembly, in byte addresses.)
   */
  private specialize(values: Float32Array, off: number, t0: number, t1: number): void {
    const src = this.layout.rec;
    const srcF = this.srcF;
    const srcLeaf = this.layout.leaf;
    const srcRoots = this.layout.roots;
    const { shared, rec, recF, leaf, roots, depth } = this;
    let stack = this.stack;
    let o = 0;
    for (let t = t0; t < t1; t++) {
      // (destination record, source record, level) triples, depth-first; the source record
      // is resolved through shared splits when it is popped
      let sp = 0;
      roots[t] = o;
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
      depth[t] = deepest;
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
