/**
 * TreeSHAP: exact path-dependent Shapley values of each feature for one row (Lundberg, Erion &
 * Lee 2018), with node covers (hessian sums) as the background distribution. Contributions plus
 * the expected value (bias) sum to the raw score.
 *
 * Two exact algorithms, chosen per tree:
 *
 * 1. Leaf tables (the idea of "Fast TreeSHAP v2", Yang 2021; derivation below), for trees whose
 *    leaves have at most MAX_TABLE_DEPTH distinct features on their path, while the tables fit
 *    the entry budget. A row then costs one pass over the tree's nodes (which way does the row
 *    go?) and O(d) work per leaf. For a leaf with value v, distinct path features U (d of them)
 *    with zero fractions z_j (product of cover ratios along the path for the nodes on feature j)
 *    and the row's pattern S = the features of U whose every node on the path the row follows,
 *    the leaf's share of the game is E(T) = v [T ⊆ S] prod_{j in U\T} z_j, so with Shapley
 *    weights w(k) = k!(d-k-1)!/d! and
 *
 *        N(S) = sum over T ⊆ S of w(|T|) prod_{j in U\T} z_j
 *
 *    feature i gets  -v N(S)                    when i is not in S (the same for all such i)
 *              and   v (1 - z_i)/z_i N(S \ {i}) when i is in S.
 *    v N(S) for all 2^d patterns is the table; per leaf 2^d doubles (64 at depth 6).
 *
 * 2. Algorithm 2 of the paper (O(leaves x depth²) per tree), for deeper trees (a random forest
 *    of depth 20) and trees with a zero-cover child (z = 0 leaves no ratio to divide by).
 *
 * Algorithm 2 keeps the "unique path" of features met from the root; each level works on its
 * own copy, laid out one after the other in shared scratch arrays:
 *
 *   path: [ level 0 (1 entry) | level 1 (2 entries) | level 2 (3 entries) | ... ]
 *   entry k of a level: feature, zero fraction (share of cover), one fraction (0/1: does the
 *   row follow this way), weight (the permutation weight of subsets of size k)
 */
import type { PackedForest } from "./packed-tree.js";

/** Deepest distinct-feature path a leaf table is built for (2^12 entries per leaf). */
export const MAX_TABLE_DEPTH = 12;
/** Default budget of table entries (float64) for a whole forest: 32 MB. */
export const DEFAULT_TABLE_ENTRIES = 1 << 22;

export interface TreeShapOptions {
  /** Table entries (8 bytes each) the forest may use; trees past the budget use Algorithm 2. */
  maxTableEntries?: number;
  /** Deepest distinct-feature path that gets a table (<= 30). Default MAX_TABLE_DEPTH. */
  maxTableDepth?: number;
}

/** Leaf tables of the trees that have them (see the module comment). */
interface LeafTables {
  /** Per tree: uses tables. */
  fast: Uint8Array;
  /** Per node: position of the node's feature among the distinct features of its path. */
  pos: Int8Array;
  /** Per tree: its leaves are [treeLeaf[t], treeLeaf[t+1]) in the leaf arrays. */
  treeLeaf: Int32Array;
  leafNode: Int32Array;
  leafDepth: Int32Array;
  /** Leaf l's distinct path features (and (1 - z)/z) start at leafFeatStart[l]. */
  leafFeatStart: Int32Array;
  leafFeat: Int32Array;
  leafRatio: Float64Array;
  /** Leaf l's table v N(S), S = 0 .. 2^d - 1, starts at leafTable[l]. */
  leafTable: Int32Array;
  table: Float64Array;
}

export class TreeShap {
  private readonly feat: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly w: Float64Array;
  private phi: Float64Array = new Float64Array(0);
  private x: ArrayLike<number> = [];
  private xOff = 0;
  private scale = 1;
  private readonly tables: LeafTables;
  /** Per node: the distinct-feature pattern of the row at that node (scratch). */
  private readonly mask: Int32Array;
  /** One entry per feature (its length is the feature count the forest needs). */
  private readonly acc: Float64Array;
  /** Unscaled sums of the table trees, rows x features (scratch). */
  private accRows: Float64Array = new Float64Array(0);
  private expectedRaw = Number.NaN;

  constructor(
    private readonly forest: PackedForest,
    opts: TreeShapOptions = {},
  ) {
    const d = maxDepth(forest);
    const size = ((d + 3) * (d + 4)) / 2 + 2;
    this.feat = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.w = new Float64Array(size);
    this.tables = buildTables(
      forest,
      Math.min(30, opts.maxTableDepth ?? MAX_TABLE_DEPTH),
      opts.maxTableEntries ?? DEFAULT_TABLE_ENTRIES,
    );
    this.mask = new Int32Array(forest.nodes);
    let cols = 0;
    for (let i = 0; i < forest.nodes; i++)
      if (forest.feature[i] >= cols) cols = forest.feature[i] + 1;
    this.acc = new Float64Array(cols);
  }

  /** Trees that use leaf tables (the rest use Algorithm 2). */
  get tableTrees(): number {
    let n = 0;
    for (const f of this.tables.fast) n += f;
    return n;
  }

  /** Table entries (float64) held. */
  get tableEntries(): number {
    return this.tables.table.length;
  }

  /** Expected raw contribution of the trees (cover-weighted mean leaf value), times scale. */
  expectedValue(scale: number): number {
    if (Number.isNaN(this.expectedRaw)) {
      const f = this.forest;
      let s = 0;
      for (let t = 0; t < f.trees; t++) {
        const root = f.treeStart[t];
        let e = 0;
        for (let i = root; i < f.treeStart[t + 1]; i++)
          if (f.feature[i] < 0) e += f.value[i] * f.cover[i];
        s += e / f.cover[root];
      }
      this.expectedRaw = s;
    }
    return this.expectedRaw * scale;
  }

  /** Adds every tree's contributions for row values[off .. off+cols) into phi, times scale. */
  explain(values: ArrayLike<number>, off: number, phi: Float64Array, scale: number): void {
    this.explainRows(values, [off], phi, phi.length, scale);
  }

  /**
   * Contributions of several rows at once: row r starts at values[offsets[r]], its
   * contributions are added to phi[r * stride ..] (stride >= the number of features), times
   * scale. Table trees go tree by tree over all rows, so a tree's nodes and tables are read
   * from cache for every row after the first (row by row, the whole forest's tables — several
   * MB — stream through the cache once per row).
   */
  explainRows(
    values: ArrayLike<number>,
    offsets: ArrayLike<number>,
    phi: Float64Array,
    stride: number,
    scale: number,
  ): void {
    const rows = offsets.length;
    const cols = this.acc.length;
    if (stride < cols || phi.length < rows * stride) {
      throw new RangeError(`TreeShap: phi holds ${phi.length} values, need ${rows} x ${cols}`);
    }
    const fast = this.tables.fast;
    const trees = this.forest.trees;
    let anyFast = false;
    let anySlow = false;
    for (let t = 0; t < trees; t++) {
      if (fast[t] === 1) anyFast = true;
      else anySlow = true;
    }
    if (anyFast) {
      if (this.accRows.length < rows * cols) this.accRows = new Float64Array(rows * cols);
      const acc = this.accRows;
      for (let t = 0; t < trees; t++) {
        if (fast[t] === 0) continue;
        for (let r = 0; r < rows; r++) this.tableTree(t, values, offsets[r], acc, r * cols);
      }
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          phi[r * stride + j] += acc[r * cols + j] * scale;
          acc[r * cols + j] = 0;
        }
      }
    }
    if (anySlow) {
      this.x = values;
      this.scale = scale;
      for (let r = 0; r < rows; r++) {
        this.phi = rows === 1 ? phi : phi.subarray(r * stride, (r + 1) * stride);
        this.xOff = offsets[r];
        for (let t = 0; t < trees; t++)
          if (fast[t] === 0) this.recurse(this.forest.treeStart[t], 0, 0, 1, 1, -1);
      }
    }
  }

  /** One tree by its leaf tables, into acc[accOff ..] (unscaled). */
  private tableTree(
    t: number,
    values: ArrayLike<number>,
    off: number,
    acc: Float64Array,
    accOff: number,
  ): void {
    const { feature, threshold, left, defaultLeft, treeStart } = this.forest;
    const tb = this.tables;
    const { pos, leafNode, leafDepth, leafFeatStart, leafFeat, leafRatio, leafTable, table } = tb;
    const mask = this.mask;
    const root = treeStart[t];
    const end = treeStart[t + 1];
    // Children come after their parent: one forward pass sets every node's pattern. Branch-free
    // (the row's direction as 0/1 arithmetic): random directions mispredict half the time.
    mask[root] = -1;
    for (let i = root; i < end; i++) {
      const f = feature[i];
      if (f < 0) continue;
      const x = values[off + f];
      const thr = threshold[i];
      const l = left[i];
      // 1 = left: x <= thr, or NaN (neither comparison holds) with a left default
      const g = +(x <= thr) | ((1 - +(x > thr)) & defaultLeft[i]);
      const m = mask[i];
      const bit = 1 << pos[i];
      mask[l] = m & ~(bit * (1 - g));
      mask[l + 1] = m & ~(bit * g);
    }
    for (let leaf = tb.treeLeaf[t]; leaf < tb.treeLeaf[t + 1]; leaf++) {
      const d = leafDepth[leaf];
      const s = mask[leafNode[leaf]] & ((1 << d) - 1);
      const base = leafTable[leaf];
      const nS = table[base + s];
      const fs = leafFeatStart[leaf];
      for (let q = 0; q < d; q++) {
        // in S: (1 - z)/z v N(S without q); not in S: -v N(S) (arithmetic select, no branch;
        // the other table read stays in the leaf's table: S with q set is a valid pattern)
        const inS = (s >> q) & 1;
        acc[accOff + leafFeat[fs + q]] +=
          inS * leafRatio[fs + q] * table[base + (s ^ (1 << q))] - (1 - inS) * nS;
      }
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

/** The distinct features of a leaf's path and their zero fractions. */
interface LeafPath {
  node: number;
  feats: number[];
  z: number[];
}

/**
 * Leaves of tree t with their distinct path features, setting pos[] for its internal nodes;
 * null when a path has more than maxD distinct features.
 */
function leafPaths(f: PackedForest, t: number, pos: Int8Array, maxD: number): LeafPath[] | null {
  const out: LeafPath[] = [];
  let tooDeep = false;
  const walk = (i: number, feats: number[], z: number[]): void => {
    if (tooDeep || feats.length > maxD) {
      tooDeep = true;
      return;
    }
    const feat = f.feature[i];
    if (feat < 0) {
      out.push({ node: i, feats, z });
      return;
    }
    let p = feats.indexOf(feat);
    const fs = p < 0 ? [...feats, feat] : feats;
    if (p < 0) p = feats.length;
    pos[i] = Math.min(p, 127);
    const l = f.left[i];
    for (const c of [l, l + 1]) {
      const zc = p < z.length ? [...z] : [...z, 1];
      zc[p] *= f.cover[c] / f.cover[i];
      walk(c, fs, zc);
    }
  };
  walk(f.treeStart[t], [], []);
  return tooDeep ? null : out;
}

/** v N(S) for every pattern S of a leaf's d distinct features (module comment), into out. */
function fillLeafTable(v: number, z: readonly number[], out: Float64Array, at: number): void {
  const d = z.length;
  if (d === 0) {
    out[at] = 0;
    return;
  }
  const fact = [1];
  for (let i = 1; i <= d; i++) fact.push(fact[i - 1] * i);
  const w = new Float64Array(d);
  for (let k = 0; k < d; k++) w[k] = (fact[k] * fact[d - k - 1]) / fact[d];
  const coef = new Float64Array(d + 1);
  const full = (1 << d) - 1;
  for (let s = 0; s < full; s++) {
    // coef[k] = sum over T ⊆ S with |T| = k of prod_{j in S\T} z_j; times prod_{j not in S} z_j
    coef.fill(0);
    coef[0] = 1;
    let size = 0;
    let outside = 1;
    for (let j = 0; j < d; j++) {
      if ((s & (1 << j)) === 0) {
        outside *= z[j];
        continue;
      }
      size++;
      for (let k = size; k >= 1; k--) coef[k] = coef[k] * z[j] + coef[k - 1];
      coef[0] *= z[j];
    }
    let n = 0;
    for (let k = 0; k <= size; k++) n += w[k] * coef[k];
    out[at + s] = v * n * outside;
  }
  out[at + full] = 0; // no feature is outside S: only read to be multiplied by 0
}

function buildTables(f: PackedForest, maxDepthTable: number, budget: number): LeafTables {
  const fast = new Uint8Array(f.trees);
  const pos = new Int8Array(f.nodes);
  const treeLeaf = new Int32Array(f.trees + 1);
  const kept: LeafPath[] = [];
  let entries = 0;
  for (let t = 0; t < f.trees; t++) {
    treeLeaf[t] = kept.length;
    const leaves = leafPaths(f, t, pos, maxDepthTable);
    if (!leaves) continue;
    let need = 0;
    let ok = true;
    for (const l of leaves) {
      if (l.z.some((z) => !(z > 0))) {
        ok = false;
        break;
      }
      need += 1 << l.feats.length;
    }
    if (!ok || entries + need > budget) continue;
    fast[t] = 1;
    entries += need;
    kept.push(...leaves);
  }
  treeLeaf[f.trees] = kept.length;
  const n = kept.length;
  const leafNode = new Int32Array(n);
  const leafDepth = new Int32Array(n);
  const leafFeatStart = new Int32Array(n + 1);
  const leafTable = new Int32Array(n);
  let featTotal = 0;
  for (const l of kept) featTotal += l.feats.length;
  const leafFeat = new Int32Array(featTotal);
  const leafRatio = new Float64Array(featTotal);
  const table = new Float64Array(entries);
  let fo = 0;
  let to = 0;
  kept.forEach((l, i) => {
    leafNode[i] = l.node;
    leafDepth[i] = l.feats.length;
    leafFeatStart[i] = fo;
    leafTable[i] = to;
    for (let q = 0; q < l.feats.length; q++) {
      leafFeat[fo + q] = l.feats[q];
      leafRatio[fo + q] = (1 - l.z[q]) / l.z[q];
    }
    fillLeafTable(f.value[l.node], l.z, table, to);
    fo += l.feats.length;
    to += 1 << l.feats.length;
  });
  leafFeatStart[n] = fo;
  return {
    fast,
    pos,
    treeLeaf,
    leafNode,
    leafDepth,
    leafFeatStart,
    leafFeat,
    leafRatio,
    leafTable,
    table,
  };
}
