/**
 * SharedSubset: FeatureSubset's contribution tables (shap.ts) for rows that share the values of
 * some columns — the k shown items of one recommendation list all carry the same user-only
 * features. Every split on a shared column sends every row the same way, so the rows' patterns
 * (which path features each row follows, module comment of shap.ts) agree on the shared
 * features. This layout uses that twice:
 *
 * - Positions: along each path, the distinct non-shared ("varying") features take pattern bits
 *   0, 1, 2... and the shared ones bits 31, 30, 29... (a node's bit depends only on its
 *   ancestors, so both orders hold for every leaf below it). A group's table is indexed by
 *   (shared key, varying key, sibling bit), the shared key highest: one request reads one
 *   contiguous slice of each table, a few cache lines instead of one per row.
 * - Work: the shared key of every group comes from one pass over the tree for the first row;
 *   each row then visits only the varying splits (the others pass their parent's pattern
 *   through, by precomputed slots) — on the ml-latest-small gbdt about half the splits.
 *
 * Entries hold the same values as FeatureSubset's (float32 sums of the leaves' contributions,
 * from the leaf tables' formula), so the contributions are the same. `accepts` tells whether
 * the rows really share the columns (bit-identical values); callers fall back to FeatureSubset
 * when they do not.
 *
 * explain() runs in WebAssembly SIMD where available (wasm-shap.ts: four rows per vector, one
 * call per list, the tables' metadata packed into one forward stream per tree); the loops
 * below are the same computation in JavaScript (runtimes without SIMD, more than 64 rows).
 */
import type { PackedForest } from "./packed-tree.js";
import type { LeafTables, SubsetExplainer } from "./shap.js";
import { eachLeafGroup, leafContribution } from "./shap.js";
import {
  type Explain,
  GROUP_HEAD_BYTES,
  groupBytes,
  SPLIT_BYTES,
  shapKernel,
  TREE_BYTES,
  touchPatterns,
} from "./wasm-shap.js";

/** Int32 fields per group in SharedSubset.g. */
const G = 10;
/** Int32 fields per group in SharedSubset.gs. */
const GS = 6;
/** Int32 fields per varying split in SharedSubset.prog. */
const P = 6;
/** Most rows a call explains in WebAssembly (more go the JavaScript way). */
const WASM_ROWS = 64;

/** The WebAssembly kernel and where its inputs sit in its memory (bytes). */
interface Kernel {
  explain: Explain;
  f32: Float32Array;
  f64: Float64Array;
  treesAt: number;
  treesEnd: number;
  xAt: number;
  slotAt: number;
  sharedAt: number;
  sumsAt: number;
  /** Two buffers of the rows' entry addresses, keyBytes each. */
  keysAt: number;
  keyBytes: number;
  /** The touch list of a tree's entry lines (wasm-shap.ts, pass 2). */
  touchAt: number;
  /** The touch list's compaction patterns (wasm-shap.ts, touchPatterns). */
  patAt: number;
}

export class SharedSubset implements SubsetExplainer {
  constructor(
    readonly forest: PackedForest,
    /** Per feature: 1 = wanted (contributions computed). */
    readonly features: Uint8Array,
    /** Per feature: 1 = shared by the rows. */
    readonly shared: Uint8Array,
    /** Per tree: 1 = explained by these tables. */
    readonly grouped: Uint8Array,
    /** Per tree: its groups [groupStart[t], groupStart[t+1]) and varying splits. */
    private readonly groupStart: Int32Array,
    private readonly progStart: Int32Array,
    /** Per varying split: feature, threshold bits, default-left, bit, source slot, left slot. */
    private readonly prog: Int32Array,
    /** Per node: pattern bit position (varying from 0 up, shared from 31 down). */
    private readonly pos: Int8Array,
    /** Per group: leaf a and b nodes (relative to the root) and their slots, the varying mask,
     * sibling shift, multipliers of a's key and b's bit, shared shift (31 - shared bits), the
     * wanted features [w0, w0 + wn) in gFeat, row keys per shared key, table offset. */
    private readonly g: Int32Array,
    /** Per group: shared shift (31 - shared bits), shared key multiplier (2 when leaf b's bit
     * at a shared parent follows, else 1), that bit's shift and mask (1 or 0), entries per
     * shared key, table offset. */
    private readonly gs: Int32Array,
    private readonly gFeat: Int32Array,
    private c: Float32Array,
    private readonly maxTreeNodes: number,
    private readonly maxSlots: number,
    private readonly cols: number,
    /** The shared splits' program (as prog), per tree [sprogStart[t], sprogStart[t+1]), and
     * the most shared slots a tree uses (slot 0, all bits, is every tree's root). */
    private readonly sprog: Int32Array,
    private readonly sprogStart: Int32Array,
    private readonly sSlots: number,
    /** Per group: the shared-program slots of leaf a and leaf b. */
    private readonly gShared: Int32Array,
  ) {
    this.progF = new Float32Array(prog.buffer, prog.byteOffset, prog.length);
  }

  private readonly progF: Float32Array;
  private mask: Int32Array = new Int32Array(0);
  private slot: Int32Array = new Int32Array(0);
  private sums: Float64Array = new Float64Array(0);
  private idx: Int32Array = new Int32Array(0);
  private offs: Int32Array = new Int32Array(0);

  /** Table entries (float32) held. */
  get entries(): number {
    return this.c.length;
  }

  /** Run the per-row loops in WebAssembly where available (false: JavaScript; for tests). */
  useWasm = true;
  /** Whether the last explain() ran in WebAssembly (for tests). */
  lastWasm = false;
  private kernelState: Kernel | null | undefined;

  /** Sets up the WebAssembly kernels now rather than on the first explain(). */
  prepare(): void {
    if (this.useWasm) this.kernel();
  }

  /**
   * The kernel with the tables and their metadata copied into its memory (on first use), or
   * null. Layout: the tables (float32) at 0, then per grouped tree its shared splits, varying
   * splits and groups as one stream (wasm-shap.ts), the tree records, and the scratch.
   */
  private kernel(): Kernel | null {
    if (this.kernelState !== undefined) return this.kernelState;
    const { g, gs, gShared, prog, sprog, gFeat, grouped, groupStart, progStart, sprogStart } = this;
    const trees = grouped.reduce((n, x) => n + x, 0);
    let meta = 0;
    for (let q = 0; q < g.length / G; q++) meta += groupBytes(g[q * G + 9]);
    meta += ((prog.length + sprog.length) / P) * SPLIT_BYTES;
    let at = this.c.length * 4;
    const take = (bytes: number) => {
      const o = at;
      at += Math.ceil(bytes / 16) * 16;
      return o;
    };
    const metaAt = take(meta);
    const treesAt = take(trees * TREE_BYTES);
    const xAt = take(this.cols * WASM_ROWS * 4);
    const slotAt = take(this.maxSlots * WASM_ROWS * 4);
    const sharedAt = take(this.sSlots * 4);
    const sumsAt = take(this.cols * WASM_ROWS * 8);
    let maxGroups = 0;
    for (let t = 0; t < grouped.length; t++)
      maxGroups = Math.max(maxGroups, groupStart[t + 1] - groupStart[t]);
    // two buffers: pass 2 of one tree runs before pass 3 of the tree before (wasm-shap.ts)
    const keysAt = take(2 * maxGroups * WASM_ROWS * 4);
    const touchAt = take(maxGroups * WASM_ROWS * 4 + 16);
    const patAt = take(256);
    // the records hold slots and features as bytes, a group's varying mask and entries per
    // shared key as u16 (trees of depth <= 7 fit; others go the JavaScript way)
    let fits = this.maxSlots <= 256 && this.sSlots <= 256 && this.cols <= 256;
    for (let q = 0; q < g.length / G; q++)
      if (g[q * G + 4] > 0xffff || gs[q * GS + 4] > 0xffff || g[q * G + 9] > 255) fits = false;
    if (!fits) {
      this.kernelState = null;
      return null;
    }
    const k = shapKernel(at);
    if (!k) {
      this.kernelState = null;
      return null;
    }
    const buf = k.memory.buffer;
    const f32 = new Float32Array(buf);
    new Uint8Array(buf).set(touchPatterns(), patAt);
    f32.set(this.c, 0);
    // the JavaScript loops read the kernel's copy from now on (one copy of the tables)
    this.c = f32.subarray(0, this.c.length);
    const view = new DataView(buf);
    let o = metaAt;
    const split = (src: Int32Array, p: number) => {
      const [feature, thresholdBits, dl, bit, from, to] = src.subarray(p * P, p * P + P);
      view.setInt32(o, thresholdBits, true);
      view.setUint8(o + 4, feature);
      view.setUint8(o + 5, (31 - Math.clz32(bit)) | (dl << 7));
      view.setUint8(o + 6, from);
      view.setUint8(o + 7, to);
      o += SPLIT_BYTES;
    };
    let tr = treesAt;
    for (let t = 0; t < grouped.length; t++) {
      if (grouped[t] === 0) continue;
      view.setInt32(tr, o, true);
      for (let p = sprogStart[t]; p < sprogStart[t + 1]; p++) split(sprog, p);
      view.setInt32(tr + 4, o, true);
      for (let p = progStart[t]; p < progStart[t + 1]; p++) split(prog, p);
      view.setInt32(tr + 8, o, true);
      for (let q = groupStart[t]; q < groupStart[t + 1]; q++) {
        const x = q * G;
        const y = q * GS;
        view.setInt32(o, gs[y + 5] * 4, true); // table
        view.setUint16(o + 4, gs[y + 4], true); // entries per shared key
        view.setUint16(o + 6, g[x + 4], true); // varying mask
        view.setUint8(o + 8, gShared[q * 2]);
        view.setUint8(o + 9, gShared[q * 2 + 1]);
        view.setUint8(o + 10, g[x + 2]);
        view.setUint8(o + 11, g[x + 3]);
        // sibling shift, mask of b's bit, multiplier of a's key (1 or 2)
        view.setUint8(o + 12, g[x + 5] | (g[x + 7] << 5) | ((g[x + 6] - 1) << 6));
        view.setUint8(o + 13, g[x + 9]); // wanted count
        // shared shift and key multiplier (1 or 2), shared sibling shift and mask
        view.setUint8(o + 14, gs[y] | ((gs[y + 1] - 1) << 5));
        view.setUint8(o + 15, gs[y + 2] | (gs[y + 3] << 5));
        for (let j = 0; j < g[x + 9]; j++)
          view.setUint8(o + GROUP_HEAD_BYTES + j, gFeat[g[x + 8] + j]);
        o += groupBytes(g[x + 9]);
      }
      view.setInt32(tr + 12, o, true);
      tr += TREE_BYTES;
    }
    this.kernelState = {
      explain: k.explain,
      f32,
      f64: new Float64Array(buf),
      treesAt,
      treesEnd: tr,
      xAt,
      slotAt,
      sharedAt,
      sumsAt,
      keysAt,
      keyBytes: maxGroups * WASM_ROWS * 4,
      touchAt,
      patAt,
    };
    return this.kernelState;
  }

  /**
   * explain() in WebAssembly (same adds, same order: same sums). The rows go feature-major
   * into the kernel's memory, four to a vector, padded with copies of row 0.
   */
  private explainWasm(
    values: ArrayLike<number>,
    offsets: ArrayLike<number>,
    k: Kernel,
  ): Float64Array {
    const rows = offsets.length;
    const cols = this.cols;
    const chunks = (rows + 3) >> 2;
    const width = chunks * 4;
    const { f32, f64 } = k;
    const xo = k.xAt >> 2;
    for (let r = 0; r < width; r++) {
      const o = offsets[r < rows ? r : 0];
      for (let j = 0; j < cols; j++) f32[xo + j * width + r] = values[o + j];
    }
    const so = k.sumsAt >> 3;
    f64.fill(0, so, so + cols * width);
    k.explain(
      k.treesAt,
      k.treesEnd,
      chunks,
      k.xAt,
      k.slotAt,
      k.sharedAt,
      k.sumsAt,
      k.keysAt,
      k.keysAt + k.keyBytes,
      k.touchAt,
      k.patAt,
    );
    // feature-major, as explain() returns
    if (this.sums.length < cols * rows) this.sums = new Float64Array(cols * rows);
    const sums = this.sums;
    for (let j = 0; j < cols; j++)
      for (let r = 0; r < rows; r++) sums[j * rows + r] = f64[so + j * width + r];
    return sums;
  }

  /** The rows (starting at offsets) have bit-identical values in every shared column. */
  accepts(values: ArrayLike<number>, offsets: ArrayLike<number>): boolean {
    const rows = offsets.length;
    if (rows === 0) return true;
    const o0 = offsets[0];
    for (let j = 0; j < this.shared.length; j++) {
      if (this.shared[j] === 0) continue;
      const v = values[o0 + j];
      for (let r = 1; r < rows; r++) {
        const x = values[offsets[r] + j];
        // Object.is: NaN equals NaN; +0 and -0 differ (a split sends them the same way anyway)
        if (!Object.is(x, v)) return false;
      }
    }
    return true;
  }

  /**
   * Unscaled sums of the grouped trees, feature-major: out[f * rows + r] (scratch, reused).
   * The rows must be accepted (accepts()).
   */
  explain(values: ArrayLike<number>, offsets: ArrayLike<number>): Float64Array {
    const rows = offsets.length;
    if (this.useWasm && rows > 0 && rows <= WASM_ROWS) {
      const k = this.kernel();
      this.lastWasm = k !== null;
      if (k) return this.explainWasm(values, offsets, k);
    } else this.lastWasm = false;
    const { feature, threshold, left, defaultLeft, treeStart } = this.forest;
    const { pos, prog, progF, g, gs, gFeat, c, grouped, groupStart, progStart } = this;
    if (this.mask.length < this.maxTreeNodes) this.mask = new Int32Array(this.maxTreeNodes);
    if (this.slot.length < this.maxSlots * rows) this.slot = new Int32Array(this.maxSlots * rows);
    if (this.sums.length < this.cols * rows) this.sums = new Float64Array(this.cols * rows);
    if (this.idx.length < rows) {
      this.idx = new Int32Array(rows);
      this.offs = new Int32Array(rows);
    }
    const { mask, slot, sums, idx, offs } = this;
    sums.fill(0, 0, this.cols * rows);
    if (rows === 0) return sums;
    for (let r = 0; r < rows; r++) offs[r] = offsets[r];
    const first = offs[0];
    for (let t = 0; t < grouped.length; t++) {
      if (grouped[t] === 0) continue;
      const root = treeStart[t];
      const end = treeStart[t + 1];
      // Shared patterns: the first row's full pass (its shared bits are every row's).
      mask[0] = -1;
      for (let i = root; i < end; i++) {
        const f = feature[i];
        if (f < 0) continue;
        const x = values[first + f];
        const thr = threshold[i];
        const goLeft = +(x <= thr) | ((1 - +(x > thr)) & defaultLeft[i]);
        const m = mask[i - root];
        const bit = 1 << pos[i];
        const l = left[i] - root;
        mask[l] = m & ~(bit * (1 - goLeft));
        mask[l + 1] = m & ~(bit * goLeft);
      }
      // Varying patterns, rows inner: slot 0 = all bits, each varying split writes two slots.
      for (let r = 0; r < rows; r++) slot[r] = -1;
      for (let p = progStart[t]; p < progStart[t + 1]; p++) {
        const o = p * P;
        const f = prog[o];
        const thr = progF[o + 1];
        const dl = prog[o + 2];
        const bit = prog[o + 3];
        const so = prog[o + 4] * rows;
        const lo = prog[o + 5] * rows;
        const ro = lo + rows;
        for (let r = 0; r < rows; r++) {
          const x = values[offs[r] + f];
          const goLeft = +(x <= thr) | ((1 - +(x > thr)) & dl);
          const m = slot[so + r];
          slot[lo + r] = m & ~(bit * (1 - goLeft));
          slot[ro + r] = m & ~(bit * goLeft);
        }
      }
      for (let q = groupStart[t]; q < groupStart[t + 1]; q++) {
        const o = q * G;
        const sa = g[o + 2] * rows;
        const sb = g[o + 3] * rows;
        const vm = g[o + 4];
        const shift = g[o + 5];
        const mulA = g[o + 6];
        const mulB = g[o + 7];
        const w0 = g[o + 8];
        const wn = g[o + 9];
        const o2 = q * GS;
        // the shared key: leaf a's shared bits, then (a pair split on a shared column) leaf b's
        // bit at the parent's position
        const sk =
          ((mask[g[o]] >>> 1) >>> gs[o2]) * gs[o2 + 1] +
          ((mask[g[o + 1]] >>> gs[o2 + 2]) & gs[o2 + 3]);
        const base = gs[o2 + 5] + sk * gs[o2 + 4];
        // Most groups want 1-3 features: those loops unrolled (one pass over the rows).
        const s0 = gFeat[w0] * rows;
        if (wn === 1) {
          for (let r = 0; r < rows; r++) {
            const k = base + (slot[sa + r] & vm) * mulA + ((slot[sb + r] >>> shift) & mulB);
            sums[s0 + r] += c[k];
          }
        } else if (wn === 2) {
          const s1 = gFeat[w0 + 1] * rows;
          for (let r = 0; r < rows; r++) {
            const k = base + ((slot[sa + r] & vm) * mulA + ((slot[sb + r] >>> shift) & mulB)) * 2;
            sums[s0 + r] += c[k];
            sums[s1 + r] += c[k + 1];
          }
        } else if (wn === 3) {
          const s1 = gFeat[w0 + 1] * rows;
          const s2 = gFeat[w0 + 2] * rows;
          for (let r = 0; r < rows; r++) {
            const k = base + ((slot[sa + r] & vm) * mulA + ((slot[sb + r] >>> shift) & mulB)) * 3;
            sums[s0 + r] += c[k];
            sums[s1 + r] += c[k + 1];
            sums[s2 + r] += c[k + 2];
          }
        } else {
          for (let r = 0; r < rows; r++) {
            const key = (slot[sa + r] & vm) * mulA + ((slot[sb + r] >>> shift) & mulB);
            idx[r] = base + key * wn;
          }
          for (let w = 0; w < wn; w++) {
            const so = gFeat[w0 + w] * rows;
            for (let r = 0; r < rows; r++) sums[so + r] += c[idx[r] + w];
          }
        }
      }
    }
    return sums;
  }
}

interface Pathed {
  /** Per node of the tree (relative): pattern position, or -1 for leaves. */
  pos: number[];
  /** Per leaf node (relative): its varying and shared features in position order. */
  vary: Map<number, number[]>;
  share: Map<number, number[]>;
}

/** Positions of tree t's splits: varying features 0 up, shared 31 down, by first occurrence. */
function positions(f: PackedForest, t: number, shared: Uint8Array): Pathed {
  const root = f.treeStart[t];
  const out: Pathed = { pos: [], vary: new Map(), share: new Map() };
  const walk = (i: number, vary: number[], share: number[]): void => {
    const feat = f.feature[i];
    if (feat < 0) {
      out.pos[i - root] = -1;
      out.vary.set(i - root, vary);
      out.share.set(i - root, share);
      return;
    }
    let v = vary;
    let s = share;
    if (shared[feat] === 1) {
      let p = share.indexOf(feat);
      if (p < 0) {
        s = [...share, feat];
        p = share.length;
      }
      out.pos[i - root] = 31 - p;
    } else {
      let p = vary.indexOf(feat);
      if (p < 0) {
        v = [...vary, feat];
        p = vary.length;
      }
      out.pos[i - root] = p;
    }
    walk(f.left[i], v, s);
    walk(f.left[i] + 1, v, s);
  };
  walk(root, [], []);
  return out;
}

/** The shared-column tables of the trees with leaf tables (see SharedSubset). */
export function buildSharedSubset(
  f: PackedForest,
  tb: LeafTables,
  features: ArrayLike<number>,
  sharedColumns: ArrayLike<number>,
  cols: number,
  budget: number,
): SharedSubset {
  const want = new Uint8Array(cols);
  const shared = new Uint8Array(cols);
  for (let j = 0; j < cols; j++) {
    want[j] = j < features.length && features[j] ? 1 : 0;
    shared[j] = j < sharedColumns.length && sharedColumns[j] ? 1 : 0;
  }
  const leafOf = new Int32Array(f.nodes).fill(-1);
  for (let l = 0; l < tb.leafNode.length; l++) leafOf[tb.leafNode[l]] = l;
  const grouped = new Uint8Array(f.trees);
  const groupStart = new Int32Array(f.trees + 1);
  const progStart = new Int32Array(f.trees + 1);
  const pos = new Int8Array(f.nodes);
  interface Group {
    a: number;
    b: number;
    parent: number;
    root: number;
    vary: number[];
    share: number[];
    wanted: number[];
    slotA: number;
    slotB: number;
    sSlotA: number;
    sSlotB: number;
  }
  const groups: Group[] = [];
  const prog: number[] = [];
  const sprog: number[] = [];
  const sprogStart = new Int32Array(f.trees + 1);
  let sSlots = 1;
  const thr1 = new Float32Array(1);
  const bits1 = new Int32Array(thr1.buffer);
  let entries = 0;
  let maxTreeNodes = 1;
  let maxSlots = 1;
  for (let t = 0; t < f.trees; t++) {
    groupStart[t] = groups.length;
    progStart[t] = prog.length / P;
    sprogStart[t] = sprog.length / P;
    if (tb.fast[t] === 0) continue;
    const root = f.treeStart[t];
    const end = f.treeStart[t + 1];
    const p = positions(f, t, shared);
    if (p.vary.size === 0) continue;
    let tooDeep = false;
    for (const [leaf, v] of p.vary)
      if (v.length + (p.share.get(leaf)?.length ?? 0) > 30) tooDeep = true;
    if (tooDeep) continue;
    // slots: node -> the slot holding its varying pattern
    const slotOf = new Int32Array(end - root);
    const myProg: number[] = [];
    let nSlots = 1;
    for (let i = root; i < end; i++) {
      const feat = f.feature[i];
      if (feat < 0) continue;
      const l = f.left[i] - root;
      if (shared[feat] === 1) {
        slotOf[l] = slotOf[i - root];
        slotOf[l + 1] = slotOf[i - root];
        continue;
      }
      myProg.push(feat, 0, f.defaultLeft[i], 1 << p.pos[i - root], slotOf[i - root], nSlots);
      slotOf[l] = nSlots;
      slotOf[l + 1] = nSlots + 1;
      nSlots += 2;
    }
    // the shared splits' program (one row: the first; slot 0, all bits, is the root): node ->
    // the slot holding its shared pattern
    const sSlotOf = new Int32Array(end - root);
    const mySProg: number[] = [];
    let sLocal = 1;
    for (let i = root; i < end; i++) {
      const feat = f.feature[i];
      if (feat < 0) continue;
      const l = f.left[i] - root;
      if (shared[feat] === 0) {
        sSlotOf[l] = sSlotOf[i - root];
        sSlotOf[l + 1] = sSlotOf[i - root];
        continue;
      }
      thr1[0] = f.threshold[i];
      mySProg.push(feat, bits1[0], f.defaultLeft[i], 1 << p.pos[i - root]);
      mySProg.push(sSlotOf[i - root], sLocal);
      sSlotOf[l] = sLocal;
      sSlotOf[l + 1] = sLocal + 1;
      sLocal += 2;
    }
    const mine: Group[] = [];
    const add = (a: number, b: number, parent: number) => {
      const node = tb.leafNode[a] - root;
      const vary = p.vary.get(node) as number[];
      const share = p.share.get(node) as number[];
      const wanted = vary.filter((x) => want[x] === 1).concat(share.filter((x) => want[x] === 1));
      if (wanted.length === 0) return;
      mine.push({
        a,
        b,
        parent,
        root,
        vary,
        share,
        wanted,
        slotA: slotOf[node],
        slotB: b >= 0 ? slotOf[tb.leafNode[b] - root] : slotOf[node],
        sSlotA: sSlotOf[node],
        sSlotB: b >= 0 ? sSlotOf[tb.leafNode[b] - root] : sSlotOf[node],
      });
    };
    eachLeafGroup(f, tb, leafOf, root, end, add);
    let need = 0;
    for (const q of mine) need += (1 << tb.leafDepth[q.a]) * (q.b >= 0 ? 2 : 1) * q.wanted.length;
    if (entries + need > budget) continue;
    entries += need;
    grouped[t] = 1;
    if (end - root > maxTreeNodes) maxTreeNodes = end - root;
    if (nSlots > maxSlots) maxSlots = nSlots;
    for (let i = root; i < end; i++) if (f.feature[i] >= 0) pos[i] = p.pos[i - root];
    // thresholds as float32 bits in the int program
    const thr = new Float32Array(1);
    const bits = new Int32Array(thr.buffer);
    let k = 0;
    for (let i = root; i < end; i++) {
      const feat = f.feature[i];
      if (feat < 0 || shared[feat] === 1) continue;
      thr[0] = f.threshold[i];
      myProg[k * P + 1] = bits[0];
      k++;
    }
    prog.push(...myProg);
    sprog.push(...mySProg);
    if (sLocal > sSlots) sSlots = sLocal;
    groups.push(...mine);
  }
  groupStart[f.trees] = groups.length;
  progStart[f.trees] = prog.length / P;
  sprogStart[f.trees] = sprog.length / P;
  const g = new Int32Array(groups.length * G);
  const gs = new Int32Array(groups.length * GS);
  const gShared = new Int32Array(groups.length * 2);
  const gFeat = new Int32Array(groups.reduce((n, q) => n + q.wanted.length, 0));
  const c = new Float32Array(entries);
  let w0 = 0;
  let at = 0;
  groups.forEach((q, k) => {
    const pair = q.b >= 0;
    const nV = q.vary.length;
    const nS = q.share.length;
    const o = k * G;
    // the sibling bit: the parent's feature position (varying or shared)
    const parentFeat = f.feature[q.parent];
    const pp = pos[q.parent];
    gShared[k * 2] = q.sSlotA;
    gShared[k * 2 + 1] = q.sSlotB;
    g[o] = tb.leafNode[q.a] - q.root;
    g[o + 1] = (pair ? tb.leafNode[q.b] : tb.leafNode[q.a]) - q.root;
    g[o + 2] = q.slotA;
    g[o + 3] = q.slotB;
    g[o + 4] = (1 << nV) - 1;
    g[o + 5] = pair && shared[parentFeat] === 0 ? pp : 0;
    g[o + 6] = pair && shared[parentFeat] === 0 ? 2 : 1;
    g[o + 7] = pair && shared[parentFeat] === 0 ? 1 : 0;
    g[o + 8] = w0;
    g[o + 9] = q.wanted.length;
    // a shared sibling bit is part of the shared key: one more shared bit for the pair
    const sharedSibling = pair && shared[parentFeat] === 1;
    const rowKeys = (1 << nV) * (pair && !sharedSibling ? 2 : 1);
    const wn = q.wanted.length;
    const go = k * GS;
    gs[go] = 31 - nS;
    gs[go + 1] = sharedSibling ? 2 : 1;
    gs[go + 2] = sharedSibling ? pp : 0;
    gs[go + 3] = sharedSibling ? 1 : 0;
    gs[go + 4] = rowKeys * wn;
    gs[go + 5] = at;
    for (let w = 0; w < wn; w++) gFeat[w0 + w] = q.wanted[w];
    // leaf a's features by their leaf-table position, to translate patterns
    const fsA = tb.leafFeatStart[q.a];
    const d = tb.leafDepth[q.a];
    const tbPos = new Map<number, number>();
    for (let j = 0; j < d; j++) tbPos.set(tb.leafFeat[fsA + j], j);
    const wq = q.wanted.map((x) => tbPos.get(x) as number);
    const parentQ = pair ? (tbPos.get(parentFeat) as number) : 0;
    for (let sk = 0; sk < 1 << nS; sk++) {
      for (let vk = 0; vk < 1 << nV; vk++) {
        // leaf a's pattern in leaf-table order: bit (nS-1-i) of sk is share[i] (position 31-i)
        let s = 0;
        for (let i = 0; i < nV; i++) if ((vk >> i) & 1) s |= 1 << (tbPos.get(q.vary[i]) as number);
        for (let i = 0; i < nS; i++)
          if ((sk >> (nS - 1 - i)) & 1) s |= 1 << (tbPos.get(q.share[i]) as number);
        for (let b = 0; b < (pair ? 2 : 1); b++) {
          // leaf b's pattern: a's with the parent feature's bit = b (shap.ts, buildSubset)
          const sb = (s & ~(1 << parentQ)) | (b << parentQ);
          const skIdx = sharedSibling ? sk * 2 + b : sk;
          const rowKey = pair && !sharedSibling ? vk * 2 + b : vk;
          for (let w = 0; w < wn; w++) {
            let v = leafContribution(tb, q.a, s, wq[w]);
            if (pair) v += leafContribution(tb, q.b, sb, wq[w]);
            c[at + (skIdx * rowKeys + rowKey) * wn + w] = v;
          }
        }
      }
    }
    w0 += wn;
    at += (1 << nS) * (sharedSibling ? 2 : 1) * rowKeys * wn;
  });
  const out = new SharedSubset(
    f,
    want,
    shared,
    grouped,
    groupStart,
    progStart,
    Int32Array.from(prog),
    pos,
    g,
    gs,
    gFeat,
    c,
    maxTreeNodes,
    maxSlots,
    cols,
    Int32Array.from(sprog),
    sprogStart,
    sSlots,
    gShared,
  );
  return out;
}
