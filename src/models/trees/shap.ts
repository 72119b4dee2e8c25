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
 * A serving path that needs only some features' contributions (a recommendation's reasons)
 * uses a third layout of the same leaf tables: per-feature-set contribution tables of sibling
 * leaf pairs (TreeShap.subset, FeatureSubset below), ~2x faster than the leaf tables and free
 * for the features it skips.
 *
 * Algorithm 2 keeps the "unique path" of features met from the root; each level works on its
 * own copy, laid out one after the other in shared scratch arrays:
 *
 *   path: [ level 0 (1 entry) | level 1 (2 entries) | level 2 (3 entries) | ... ]
 *   entry k of a level: feature, zero fraction (share of cover), one fraction (0/1: does the
 *   row follow this way), weight (the permutation weight of subsets of size k)
 */
import type { PackedForest } from "./packed-tree.js";
import { buildSharedSubset, type SharedSubset } from "./shared-subset.js";

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

/**
 * A set of per-feature-set contribution tables explainRows can use (FeatureSubset,
 * SharedSubset): the trees it explains, and their unscaled sums for the wanted features.
 */
export interface SubsetExplainer {
  readonly forest: PackedForest;
  /** Per feature: 1 = wanted. */
  readonly features: Uint8Array;
  /** Per tree: 1 = explained by the subset's tables. */
  readonly grouped: Uint8Array;
  /** Unscaled sums of the grouped trees, feature-major: out[f * rows + r]. */
  explain(values: ArrayLike<number>, offsets: ArrayLike<number>): Float64Array;
}

/** Leaf tables of the trees that have them (see the module comment). */
export interface LeafTables {
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
   * Contribution tables for the features flagged in `features` (index = feature, non-zero =
   * wanted), for explainRows(..., subset): see FeatureSubset. Built once per feature set and
   * kept; trees past the entry budget are explained the other ways.
   */
  subset(features: ArrayLike<number>, maxEntries = DEFAULT_SUBSET_ENTRIES): FeatureSubset {
    return buildSubset(this.forest, this.tables, features, this.acc.length, maxEntries);
  }

  /**
   * subset() for rows that share the values of the `shared` columns (index = feature,
   * non-zero = shared; a recommendation's shown items share the user's columns): the same
   * contributions with less work per row (SharedSubset). Use it only for rows it accepts().
   */
  sharedSubset(
    features: ArrayLike<number>,
    shared: ArrayLike<number>,
    maxEntries = DEFAULT_SUBSET_ENTRIES,
  ): SharedSubset {
    return buildSharedSubset(
      this.forest,
      this.tables,
      features,
      shared,
      this.acc.length,
      maxEntries,
    );
  }

  /**
   * Contributions of several rows at once: row r starts at values[offsets[r]], its
   * contributions are added to phi[r * stride ..] (stride >= the number of features), times
   * scale. Table trees go tree by tree over all rows, so a tree's nodes and tables are read
   * from cache for every row after the first (row by row, the whole forest's tables — several
   * MB — stream through the cache once per row). With a `subset` (TreeShap.subset), only the
   * subset's features are computed and added (the same values as without); phi's other
   * entries are left as they are.
   */
  explainRows(
    values: ArrayLike<number>,
    offsets: ArrayLike<number>,
    phi: Float64Array,
    stride: number,
    scale: number,
    subset?: SubsetExplainer,
  ): void {
    const rows = offsets.length;
    const cols = this.acc.length;
    if (stride < cols || phi.length < rows * stride) {
      throw new RangeError(`TreeShap: phi holds ${phi.length} values, need ${rows} x ${cols}`);
    }
    if (subset && subset.forest !== this.forest) {
      throw new RangeError("TreeShap: the feature subset belongs to another forest");
    }
    const fast = this.tables.fast;
    const trees = this.forest.trees;
    const grouped = subset?.grouped;
    let anyFast = false;
    let anySlow = false;
    for (let t = 0; t < trees; t++) {
      if (grouped && grouped[t] === 1) continue;
      if (fast[t] === 1) anyFast = true;
      else anySlow = true;
    }
    if (this.accRows.length < rows * cols) this.accRows = new Float64Array(rows * cols);
    const acc = this.accRows;
    if (anyFast) {
      for (let t = 0; t < trees; t++) {
        if (fast[t] === 0 || (grouped && grouped[t] === 1)) continue;
        for (let r = 0; r < rows; r++) this.tableTree(t, values, offsets[r], acc, r * cols);
      }
    }
    if (anySlow) {
      // Algorithm 2 adds scaled values straight into its phi: rows x cols of acc (unscaled
      // table sums are added to it below, so scale 1 here and scale applied once).
      this.x = values;
      this.scale = 1;
      for (let r = 0; r < rows; r++) {
        this.phi = acc.subarray(r * cols, (r + 1) * cols);
        this.xOff = offsets[r];
        for (let t = 0; t < trees; t++)
          if (fast[t] === 0) this.recurse(this.forest.treeStart[t], 0, 0, 1, 1, -1);
      }
      this.phi = new Float64Array(0);
    }
    if (subset) {
      // Feature-major sums of the grouped trees, then only the subset's features out.
      const byFeature = subset.explain(values, offsets);
      const want = subset.features;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          if (want[j] === 1)
            phi[r * stride + j] += (acc[r * cols + j] + byFeature[j * rows + r]) * scale;
          acc[r * cols + j] = 0;
        }
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        phi[r * stride + j] += acc[r * cols + j] * scale;
        acc[r * cols + j] = 0;
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

/**
 * Contribution tables for a set of wanted features (TreeShap.subset): a serving path that
 * explains a few rows and reads only some features (the recommender's reasons never name a
 * user-only feature) skips the others' work, and reads each leaf's contributions from a table
 * instead of computing them.
 *
 * Leaves are grouped: two leaves under one node (siblings) have the same distinct path features,
 * so they form one group whose table is indexed by the left leaf's pattern s and one bit b (does
 * the row follow the right leaf at the parent's feature), 2^(d+1) entries; a leaf whose sibling
 * is not a leaf is a group of its own (2^d entries). Each entry holds, for the group's wanted
 * path features only, the group's summed contributions (from the leaf tables' formula), so a
 * row costs per group one index and one add per wanted feature — half as many visits as
 * leaves, no arithmetic, and no work at all for groups without a wanted feature. Rows go in
 * the inner loops (fixed trip count, feature-major sums), tree by tree, so a tree's tables are
 * read from cache for every row after the first. Entries are float32 (sums stay float64): the
 * tables are half as large, which matters because a request's table reads mostly miss the
 * cache; each entry is off by at most 2^-24 of itself (on the ml-latest-small gbdt the
 * contributions moved by <= 2e-8, well under the float32 the contributions are reported in).
 */
export class FeatureSubset implements SubsetExplainer {
  constructor(
    readonly forest: PackedForest,
    /** Per feature: 1 = wanted. */
    readonly features: Uint8Array,
    /** Per tree: 1 = explained by this subset's tables. */
    readonly grouped: Uint8Array,
    /** Per tree: its groups are [groupStart[t], groupStart[t+1]). */
    private readonly groupStart: Int32Array,
    /** Per group: the two nodes whose patterns index its table (relative to the tree root),
     * the pattern mask, b's shift, the index multiplier of s (2 for a pair, 1 alone) and of b
     * (1 or 0), the wanted features [w0, w0 + wn) in gFeat, and its table's offset. */
    private readonly g: Int32Array,
    private readonly gFeat: Int32Array,
    private readonly c: Float32Array,
    private readonly maxTreeNodes: number,
    private readonly cols: number,
    /** Per node: position of its feature among its path's distinct features (leaf tables'). */
    private readonly pos: Int8Array,
  ) {}

  /** Table entries (float32) held. */
  get entries(): number {
    return this.c.length;
  }

  /** Trees explained by the tables. */
  get trees(): number {
    let n = 0;
    for (const x of this.grouped) n += x;
    return n;
  }

  private mask: Int32Array = new Int32Array(0);
  private sums: Float64Array = new Float64Array(0);
  private idx: Int32Array = new Int32Array(0);
  private offs: Int32Array = new Int32Array(0);

  /** Unscaled sums of the grouped trees, feature-major: out[f * rows + r]. Scratch, reused. */
  explain(values: ArrayLike<number>, offsets: ArrayLike<number>): Float64Array {
    const rows = offsets.length;
    const { feature, threshold, left, defaultLeft, treeStart } = this.forest;
    const pos = this.pos;
    if (this.mask.length < this.maxTreeNodes * rows) {
      this.mask = new Int32Array(this.maxTreeNodes * rows);
    }
    if (this.sums.length < this.cols * rows) this.sums = new Float64Array(this.cols * rows);
    if (this.idx.length < rows) {
      this.idx = new Int32Array(rows);
      this.offs = new Int32Array(rows);
    }
    const { mask, sums, idx, offs, g, gFeat, c, grouped, groupStart } = this;
    sums.fill(0, 0, this.cols * rows);
    for (let r = 0; r < rows; r++) offs[r] = offsets[r];
    for (let t = 0; t < grouped.length; t++) {
      if (grouped[t] === 0) continue;
      const root = treeStart[t];
      const end = treeStart[t + 1];
      // The rows' patterns at every node (as TreeShap.tableTree, rows inner, relative nodes).
      for (let r = 0; r < rows; r++) mask[r] = -1;
      for (let i = root; i < end; i++) {
        const f = feature[i];
        if (f < 0) continue;
        const thr = threshold[i];
        const dl = defaultLeft[i];
        const bit = 1 << pos[i];
        const io = (i - root) * rows;
        const lo = (left[i] - root) * rows;
        const ro = lo + rows;
        for (let r = 0; r < rows; r++) {
          const x = values[offs[r] + f];
          const goLeft = +(x <= thr) | ((1 - +(x > thr)) & dl);
          const m = mask[io + r];
          mask[lo + r] = m & ~(bit * (1 - goLeft));
          mask[ro + r] = m & ~(bit * goLeft);
        }
      }
      for (let q = groupStart[t]; q < groupStart[t + 1]; q++) {
        const o = q * G;
        const a = g[o] * rows;
        const b = g[o + 1] * rows;
        const lm = g[o + 2];
        const shift = g[o + 3];
        const mulA = g[o + 4];
        const mulB = g[o + 5];
        const w0 = g[o + 6];
        const wn = g[o + 7];
        const base = g[o + 8];
        for (let r = 0; r < rows; r++) {
          const key = (mask[a + r] & lm) * mulA + ((mask[b + r] >>> shift) & mulB);
          idx[r] = base + key * wn;
        }
        for (let w = 0; w < wn; w++) {
          const so = gFeat[w0 + w] * rows;
          for (let r = 0; r < rows; r++) sums[so + r] += c[idx[r] + w];
        }
      }
    }
    return sums;
  }
}

/** Int32 fields per group in FeatureSubset.g. */
const G = 9;
/** Default budget of a feature subset's table entries (float32): 16 MB. */
export const DEFAULT_SUBSET_ENTRIES = 1 << 22;

function buildSubset(
  f: PackedForest,
  tb: LeafTables,
  features: ArrayLike<number>,
  cols: number,
  budget: number,
): FeatureSubset {
  const want = new Uint8Array(cols);
  for (let j = 0; j < cols && j < features.length; j++) want[j] = features[j] ? 1 : 0;
  const leafOf = new Int32Array(f.nodes).fill(-1);
  for (let l = 0; l < tb.leafNode.length; l++) leafOf[tb.leafNode[l]] = l;
  const grouped = new Uint8Array(f.trees);
  const groupStart = new Int32Array(f.trees + 1);
  // Groups as [leaf a, leaf b (-1 alone), parent node, tree root, wanted positions].
  const groups: { a: number; b: number; parent: number; root: number; wq: number[] }[] = [];
  let entries = 0;
  let maxTreeNodes = 1;
  for (let t = 0; t < f.trees; t++) {
    groupStart[t] = groups.length;
    if (tb.fast[t] === 0) continue;
    const root = f.treeStart[t];
    const end = f.treeStart[t + 1];
    const mine: typeof groups = [];
    const add = (a: number, b: number, parent: number) => {
      const wq: number[] = [];
      for (let q = 0; q < tb.leafDepth[a]; q++)
        if (want[tb.leafFeat[tb.leafFeatStart[a] + q]] === 1) wq.push(q);
      // A group without a wanted feature adds nothing to the wanted features.
      if (wq.length > 0) mine.push({ a, b, parent, root, wq });
    };
    eachLeafGroup(f, tb, leafOf, root, end, add);
    let need = 0;
    for (const q of mine) need += (1 << tb.leafDepth[q.a]) * (q.b >= 0 ? 2 : 1) * q.wq.length;
    // A tree is grouped whole or not at all (then the leaf tables explain it).
    if (entries + need > budget) continue;
    entries += need;
    grouped[t] = 1;
    if (end - root > maxTreeNodes) maxTreeNodes = end - root;
    groups.push(...mine);
  }
  groupStart[f.trees] = groups.length;
  const g = new Int32Array(groups.length * G);
  const gFeat = new Int32Array(groups.reduce((n, q) => n + q.wq.length, 0));
  const c = new Float32Array(entries);
  let w0 = 0;
  let at = 0;
  groups.forEach((q, k) => {
    const d = tb.leafDepth[q.a];
    const pair = q.b >= 0;
    const o = k * G;
    g[o] = tb.leafNode[q.a] - q.root;
    g[o + 1] = (pair ? tb.leafNode[q.b] : tb.leafNode[q.a]) - q.root;
    g[o + 2] = (1 << d) - 1;
    g[o + 3] = pair ? tb.pos[q.parent] : 0;
    g[o + 4] = pair ? 2 : 1;
    g[o + 5] = pair ? 1 : 0;
    g[o + 6] = w0;
    g[o + 7] = q.wq.length;
    g[o + 8] = at;
    const fs = tb.leafFeatStart[q.a];
    q.wq.forEach((p, w) => {
      gFeat[w0 + w] = tb.leafFeat[fs + p];
    });
    const wn = q.wq.length;
    const p = pair ? tb.pos[q.parent] : 0;
    for (let s = 0; s < 1 << d; s++) {
      for (let b = 0; b < (pair ? 2 : 1); b++) {
        const key = pair ? s * 2 + b : s;
        // the right leaf's pattern: the left one's with bit p = b (module comment above)
        const sb = (s & ~(1 << p)) | (b << p);
        for (let w = 0; w < wn; w++) {
          let v = leafContribution(tb, q.a, s, q.wq[w]);
          if (pair) v += leafContribution(tb, q.b, sb, q.wq[w]);
          c[at + key * wn + w] = v;
        }
      }
    }
    w0 += wn;
    at += (1 << d) * (pair ? 2 : 1) * wn;
  });
  return new FeatureSubset(f, want, grouped, groupStart, g, gFeat, c, maxTreeNodes, cols, tb.pos);
}

/** Leaf l's contribution to its q-th path feature for pattern s (module comment, 1.). */
export function leafContribution(tb: LeafTables, l: number, s: number, q: number): number {
  const base = tb.leafTable[l];
  if ((s >> q) & 1) return tb.leafRatio[tb.leafFeatStart[l] + q] * tb.table[base + (s ^ (1 << q))];
  return -tb.table[base + s];
}

/**
 * The leaf groups of the tree whose nodes are [root, end): for each split whose children are
 * both leaves with the same path features, add(left, right, split) (one table serves the pair);
 * every other leaf alone, add(leaf, -1, its parent). leafOf maps a node to its leaf number.
 */
export function eachLeafGroup(
  f: PackedForest,
  tb: LeafTables,
  leafOf: Int32Array,
  root: number,
  end: number,
  add: (a: number, b: number, parent: number) => void,
): void {
  for (let i = root; i < end; i++) {
    if (f.feature[i] < 0) continue;
    const l = f.left[i];
    const la = f.feature[l] < 0 ? leafOf[l] : -1;
    const lb = f.feature[l + 1] < 0 ? leafOf[l + 1] : -1;
    if (la >= 0 && lb >= 0 && sameFeatures(tb, la, lb)) add(la, lb, i);
    else {
      if (la >= 0) add(la, -1, i);
      if (lb >= 0) add(lb, -1, i);
    }
  }
}

/** Two leaves with the same distinct path features in the same order (siblings always are). */
function sameFeatures(tb: LeafTables, a: number, b: number): boolean {
  const d = tb.leafDepth[a];
  if (tb.leafDepth[b] !== d) return false;
  for (let q = 0; q < d; q++)
    if (tb.leafFeat[tb.leafFeatStart[a] + q] !== tb.leafFeat[tb.leafFeatStart[b] + q]) return false;
  return true;
}
