/**
 * The one tree grower, shared by gradient boosting and the random forest. It owns the rich
 * training-time node state (row ranges, gradient sums, histogram slots, best splits) and hands
 * back a GrownTree of plain arrays that packed-tree.ts flattens for prediction.
 *
 * Rows live in one index buffer; splitting a node partitions its range in place (stably, so
 * rows stay in ascending order and histogram builds read the bin matrix forwards):
 *
 *   idx: [ ... | rows of node (start..end)                | ... ]
 *   ->   [ ... | left child (start..mid) | right (mid..end) | ... ]
 *
 * Growth is depth-wise (nodes split in creation order, up to maxDepth) or best-first
 * ("lossguide": the open leaf with the largest gain next, up to maxLeaves). With `subtraction`
 * the smaller child's histogram is built and the larger one's is parent - smaller; without it
 * (the forest) each node builds its own histogram over just its sampled features.
 *
 * Depth-wise growth with subtraction (boosting) runs level by level (growByLevel): each level's
 * partitions, histograms and split searches are a few jobs over all its nodes (level-jobs.ts),
 * which the threads share unit by unit; the trees are those of node-by-node growth.
 */
import type { Rng } from "../../core/index.js";
import { addSerial, type FitProfile } from "./fit-profile.js";
import { partitionIndices, partitionMoving } from "./row-partition.js";
import { findBestSplitSmall, SMALL_NODE_ROWS } from "./small-node-splitter.js";
import { RES_FIELDS, type SplitParams } from "./splitter.js";
import { rootSums, runLevelUnit, UNIT_BLOCK, UNIT_NODE, UNIT_SUMS } from "./level-jobs.js";
import {
  executeJob,
  histBlocks,
  J_BUILD,
  J_BUILD_SLOT,
  J_END,
  J_EVAL_SLOT,
  J_HPARTS,
  J_KIND,
  J_NEVALS,
  J_NFEATS,
  J_PARENT_SLOT,
  J_PB,
  J_PDL,
  J_PF,
  J_PHASE,
  J_START,
  KIND_HIST,
  KIND_PART,
  KIND_STITCH,
  KIND_LFINISH,
  KIND_LHIST,
  KIND_LPART,
  KIND_LSTITCH,
  MAX_UNITS,
  UNIT_INTS,
  J_UNITS,
  type JobRunner,
  type Workspace,
} from "./workspace.js";

export interface GrowParams extends SplitParams {
  /** 0 = unlimited. */
  maxDepth: number;
  /** 0 = unlimited. */
  maxLeaves: number;
  /** Best-first growth instead of depth-wise. */
  lossguide: boolean;
  /** Features sampled per node (0 = all of the tree's features). */
  nodeFeatures: number;
  /** Larger child's histogram by subtraction (needs histograms over all tree features). */
  subtraction: boolean;
  /** Leaf values are multiplied by this (learning rate; 1 for the forest). */
  shrinkage: number;
  /**
   * The forest's gradients are -y*w and hessians w for 0/1 labels y: a node whose G is 0 or -H
   * holds one class only and cannot gain from a split, so it is not even evaluated.
   */
  stopWhenPure?: boolean;
  /**
   * Level-wise growth: the nodes split at depth maxDepth - 1 are not partitioned; their leaves
   * get no row range (start = end = -1) and the node is listed in GrownTree.routed. The caller
   * sends those rows to their leaf itself (gbdt's RAW job does, by the split's bin).
   */
  routeLastLevel?: boolean;
}

/** A trained tree before packing. Children of node i are left[i] and left[i] + 1. */
export interface GrownTree {
  /** Split feature, -1 for a leaf. */
  feature: number[];
  /** Split bin: rows with bin <= bin go left. */
  bin: number[];
  defaultLeft: number[];
  left: number[];
  /** Leaf value (already shrunk); 0 for internal nodes. */
  value: number[];
  /** Hessian sum of the node's rows (TreeSHAP's cover). */
  cover: number[];
  /** Split gain (0 for leaves). */
  gain: number[];
  /** Row range in the index buffer of each leaf (internal nodes: -1). */
  start: number[];
  end: number[];
  /**
   * Split nodes whose rows were left unpartitioned (GrowParams.routeLastLevel), with their row
   * ranges; their two children are leaves without a range.
   */
  routed?: { node: number; start: number; end: number }[];
}

export interface OpenNode {
  id: number;
  start: number;
  end: number;
  G: number;
  H: number;
  depth: number;
  /** Histogram slot kept for subtraction, or -1. */
  slot: number;
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: number;
  GL: number;
  HL: number;
}

/** Nodes with this many rows are partitioned on the worker threads (index mode). */
const PARALLEL_PARTITION_ROWS = 65_536;

/** Level partitions cut nodes into pieces of at least this many rows (level-jobs.ts LPART). */
const PARTITION_PIECE_ROWS = 32_768;

/** A child to build in a level job: into buildSlot, subtracted from parentSlot (or -1). */
interface Build {
  node: OpenNode;
  buildSlot: number;
  parentSlot: number;
  /** The larger child, evaluated on parentSlot after the subtraction. */
  evalB: OpenNode | null;
  /** The built child, evaluated on buildSlot. */
  evalS: OpenNode | null;
}

/** Deepest trees grown level by level (a level's nodes need their own slots and eval sets). */
export const MAX_LEVEL_DEPTH = 10;

/** Slot 0 is scratch: histograms that need not outlive their job. */
const SCRATCH = 0;

export class Grower {
  private readonly freeSlots: number[] = [];
  private readonly scratch: Int32Array;
  private readonly sampled: Int32Array;
  private treeFeats: Int32Array = new Int32Array(0);
  private rng: Rng | null = null;
  /** Profiling (fit-profile.ts): serial parts of the grower's time. */
  profile: FitProfile | null = null;

  /**
   * Moving-rows mode (the forest): the workspace's bins and gh are this grower's own copy, and a
   * partition moves each row's codes, gradient pair and original row id (`orig`) along with it,
   * keeping idx the identity. Deep nodes then read their rows from contiguous memory instead of
   * scattered cache lines, which is what a deep tree's time goes to:
   *
   *   position i:  bins[i*stride .. +stride) | gh[2i], gh[2i+1] | orig[i] = source row
   */
  readonly orig: Int32Array | null;
  private readonly scratchRows: Uint32Array | null;
  private readonly scratchGh: Float64Array | null;

  /** Depth-wise growth with subtraction runs whole levels per job (growByLevel). */
  private readonly levelWise: boolean;

  constructor(
    private readonly ws: Workspace,
    private readonly runner: JobRunner,
    private readonly p: GrowParams,
    /** Jobs smaller than this (rows x features) run in this thread: cheaper than a handoff. */
    private readonly parallelMinWork = 200_000,
    moveRows = false,
    /** Allow growByLevel where it applies (false: always node by node; for tests). */
    levels = true,
  ) {
    const d = p.maxDepth;
    this.levelWise =
      levels &&
      !moveRows &&
      p.subtraction &&
      !p.lossguide &&
      d > 0 &&
      d <= MAX_LEVEL_DEPTH &&
      ws.partL.length === ws.rows &&
      ws.partR.length === ws.rows &&
      ws.units.length > 0 &&
      ws.slots - 1 >= 1 << d &&
      ws.evalSets >= 1 << d;
    this.scratch = new Int32Array(ws.rows);
    this.sampled = new Int32Array(ws.cols);
    this.orig = moveRows ? new Int32Array(ws.rows) : null;
    this.scratchRows = moveRows ? new Uint32Array((ws.rows * ws.cols) >> 2) : null;
    this.scratchGh = moveRows ? new Float64Array(2 * ws.rows) : null;
  }

  /**
   * Grow one tree on rows idx[0..n) with gradients in ws.gh, splitting only on treeFeats;
   * `identityRows`: the caller guarantees idx[i] = i for i < n.
   */
  grow(n: number, treeFeats: Int32Array, rng: Rng, identityRows = false): GrownTree {
    const { ws, p } = this;
    this.treeFeats = treeFeats;
    this.rng = rng;
    this.freeSlots.length = 0;
    for (let s = ws.slots - 1; s >= 1; s--) this.freeSlots.push(s);
    const t: GrownTree = {
      feature: [-1],
      bin: [0],
      defaultLeft: [0],
      left: [-1],
      value: [0],
      cover: [0],
      gain: [0],
      start: [0],
      end: [n],
    };
    // A level-wise root built in row blocks gets its sums from a unit of its histogram job
    // (one thread sums while the others build blocks); otherwise they come first, here.
    const deferSums = this.levelWise && histBlocks(ws, n) > 0;
    let G = 0;
    let H = 0;
    if (!deferSums) {
      const tRoot = this.profile ? performance.now() : 0;
      [G, H] = rootSums(ws, n, identityRows);
      if (this.profile) addSerial(this.profile, "root sums", performance.now() - tRoot);
    }
    const nodeG = [G];
    const nodeH = [H];
    const root = this.open(0, 0, n, G, H, 0);
    if (this.levelWise) this.growByLevel(t, root, nodeG, nodeH, deferSums, identityRows);
    else this.growByNode(t, root, nodeG, nodeH);
    const scale = p.shrinkage;
    for (let i = 0; i < t.feature.length; i++) {
      t.cover[i] = nodeH[i];
      if (t.feature[i] < 0) t.value[i] = (-nodeG[i] / (nodeH[i] + p.lambda)) * scale;
    }
    this.rng = null;
    return t;
  }

  /** Node by node: each split's partition and histogram jobs on their own. */
  private growByNode(t: GrownTree, root: OpenNode, nodeG: number[], nodeH: number[]): void {
    const p = this.p;
    const heap: OpenNode[] = [];
    let head = 0; // depth-wise: heap is a FIFO queue from `head`
    if (this.eligible(root)) {
      const slot = this.evalDirect(root, p.subtraction ? this.alloc() : -1);
      if (root.gain > Number.NEGATIVE_INFINITY) {
        root.slot = slot;
        heap.push(root);
      } else this.free(slot);
    }
    let leaves = 1;
    while (heap.length > head) {
      if (p.maxLeaves > 0 && leaves >= p.maxLeaves) break;
      const node = p.lossguide ? popMax(heap) : heap[head++];
      const mid = this.orig
        ? partitionMoving(
            this.ws,
            node,
            this.orig,
            this.scratch,
            this.scratchRows as Uint32Array,
            this.scratchGh as Float64Array,
          )
        : this.partition(node);
      const [L, R] = this.split(t, node, mid, nodeG, nodeH);
      leaves++;
      this.evalChildren(node, L, R);
      this.keepSplittable([L, R], heap);
    }
  }

  /** Nodes with a usable split go on to `open` (push); the others' histogram slots are freed. */
  private keepSplittable(nodes: OpenNode[], open: OpenNode[]): void {
    for (const c of nodes) {
      if (c.gain > Number.NEGATIVE_INFINITY) open.push(c);
      else this.free(c.slot);
    }
  }

  /** Record node's split in t and open its children (rows [start, mid) and [mid, end)). */
  private split(
    t: GrownTree,
    node: OpenNode,
    mid: number,
    nodeG: number[],
    nodeH: number[],
  ): [OpenNode, OpenNode] {
    const lid = t.feature.length;
    for (let k = 0; k < 2; k++) {
      t.feature.push(-1);
      t.bin.push(0);
      t.defaultLeft.push(0);
      t.left.push(-1);
      t.value.push(0);
      t.cover.push(0);
      t.gain.push(0);
    }
    t.feature[node.id] = node.feature;
    t.bin[node.id] = node.bin;
    t.defaultLeft[node.id] = node.defaultLeft;
    t.left[node.id] = lid;
    t.gain[node.id] = node.gain;
    t.start[node.id] = -1;
    t.end[node.id] = -1;
    t.start[lid] = node.start;
    t.end[lid] = mid;
    t.start[lid + 1] = mid;
    t.end[lid + 1] = node.end;
    const L = this.open(lid, node.start, mid, node.GL, node.HL, node.depth + 1);
    const R = this.open(lid + 1, mid, node.end, node.G - node.GL, node.H - node.HL, node.depth + 1);
    nodeG.push(L.G, R.G);
    nodeH.push(L.H, R.H);
    return [L, R];
  }

  /**
   * Level by level (depth-wise boosting): all nodes of a level are partitioned in one job and
   * all their children's histograms built, subtracted and evaluated in one or two (level-jobs.ts),
   * instead of two to four jobs per node, with small nodes on the threads too. The same nodes
   * split in the same order with the same numbers as growByNode, so the trees are identical.
   */
  private growByLevel(
    t: GrownTree,
    root: OpenNode,
    nodeG: number[],
    nodeH: number[],
    /** root.G and root.H are not known yet: a unit of the root's job sums them. */
    deferSums: boolean,
    identityRows: boolean,
  ): void {
    const p = this.p;
    this.ws.feats.set(this.treeFeats);
    let level: OpenNode[] = [];
    if (deferSums || this.eligible(root)) {
      const slot = this.alloc();
      const sums = deferSums ? { identity: identityRows } : null;
      const build = { node: root, buildSlot: slot, parentSlot: -1, evalB: null, evalS: root };
      this.runBuilds([build], sums);
      if (deferSums) {
        root.G = this.ws.evalGHN[0];
        root.H = this.ws.evalGHN[1];
        nodeG[0] = root.G;
        nodeH[0] = root.H;
        // (the speculative histogram of a root that cannot split is simply dropped)
        if (!this.eligible(root)) root.gain = Number.NEGATIVE_INFINITY;
      }
      if (root.gain > Number.NEGATIVE_INFINITY) {
        root.slot = slot;
        level.push(root);
      } else this.free(slot);
    }
    let leaves = 1;
    while (level.length > 0) {
      const k = p.maxLeaves > 0 ? Math.min(level.length, p.maxLeaves - leaves) : level.length;
      if (k <= 0) break;
      const splitting = level.slice(0, k);
      // the last level's children are leaves: with routeLastLevel the caller routes their rows
      const route = p.routeLastLevel === true && splitting[0].depth + 1 >= p.maxDepth;
      const mids = route ? splitting.map(() => -1) : this.partitionLevel(splitting);
      if (route) t.routed ??= [];
      const builds: Build[] = [];
      const temps: number[] = [];
      const children: OpenNode[] = [];
      for (let i = 0; i < k; i++) {
        const node = splitting[i];
        const [L, R] = this.split(t, node, mids[i], nodeG, nodeH);
        if (route) {
          t.routed?.push({ node: node.id, start: node.start, end: node.end });
          for (const c of [L, R]) {
            t.start[c.id] = -1;
            t.end[c.id] = -1;
          }
        }
        leaves++;
        children.push(L, R);
        this.planChildren(node, L, R, builds, temps);
      }
      this.runBuilds(builds);
      for (const s of temps) this.free(s);
      level = [];
      this.keepSplittable(children, level);
    }
  }

  /** evalChildren's plan for a level job: which child to build, where, and what to evaluate. */
  private planChildren(
    parent: OpenNode,
    L: OpenNode,
    R: OpenNode,
    builds: Build[],
    temps: number[],
  ): void {
    const eligL = this.eligible(L);
    const eligR = this.eligible(R);
    if (!eligL && !eligR) {
      this.free(parent.slot);
      return;
    }
    const leftSmall = L.end - L.start <= R.end - R.start;
    const S = leftSmall ? L : R;
    const B = leftSmall ? R : L;
    const eligS = leftSmall ? eligL : eligR;
    const eligB = leftSmall ? eligR : eligL;
    if (eligB) {
      // (node by node, a child that is not evaluated is built in the scratch slot; here every
      // build of the level needs its own slot until the job is done)
      const sSlot = this.alloc();
      if (sSlot < 0) throw new Error("Grower: out of histogram slots in a level job");
      if (!eligS) temps.push(sSlot);
      builds.push({
        node: S,
        buildSlot: sSlot,
        parentSlot: parent.slot,
        evalB: B,
        evalS: eligS ? S : null,
      });
      B.slot = parent.slot;
      S.slot = eligS ? sSlot : -1;
    } else {
      builds.push({ node: S, buildSlot: parent.slot, parentSlot: -1, evalB: null, evalS: S });
      S.slot = parent.slot;
    }
  }

  /**
   * Partition all `nodes` (each by its split) in one LPART job, cutting large nodes into pieces,
   * then put the pieces' rows back in one LSTITCH job. Returns each node's mid.
   */
  private partitionLevel(nodes: OpenNode[]): number[] {
    const ws = this.ws;
    const U = ws.units;
    let total = 0;
    for (const node of nodes) total += node.end - node.start;
    const piece = Math.max(PARTITION_PIECE_ROWS, Math.ceil(ws.rows / (MAX_UNITS >> 1)));
    let u = 0;
    const firstUnit: number[] = [];
    for (const node of nodes) {
      firstUnit.push(u);
      const n = node.end - node.start;
      const pieces = Math.max(1, Math.floor(n / piece));
      for (let i = 0; i < pieces; i++) {
        const o = u * UNIT_INTS;
        U[o + 1] = node.start + Math.floor((n * i) / pieces);
        U[o + 2] = node.start + Math.floor((n * (i + 1)) / pieces);
        U[o + 3] = node.feature;
        U[o + 4] = node.bin;
        U[o + 5] = node.defaultLeft;
        u++;
      }
    }
    firstUnit.push(u);
    const parallel = total >= PARALLEL_PARTITION_ROWS;
    this.runUnits(KIND_LPART, u, parallel);
    const mids: number[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      let left = 0;
      for (let v = firstUnit[i]; v < firstUnit[i + 1]; v++) left += ws.unitOut[v];
      const mid = node.start + left;
      let before = 0;
      for (let v = firstUnit[i]; v < firstUnit[i + 1]; v++) {
        const o = v * UNIT_INTS;
        U[o + 6] = node.start + before;
        U[o + 7] = mid + (U[o + 1] - node.start - before);
        before += ws.unitOut[v];
      }
      mids.push(mid);
    }
    this.runUnits(KIND_LSTITCH, u, parallel);
    return mids;
  }

  /**
   * Build, subtract and evaluate a level's histograms: nodes of at least HIST_BLOCK_ROWS x 4
   * rows in row blocks (LHIST BLOCK units, then LFINISH units summing them), the others whole
   * or cut into feature-group ranges (LHIST NODE units). Sets gain and split of every eval node.
   */
  private runBuilds(builds: Build[], rootSum: { identity: boolean } | null = null): void {
    if (builds.length === 0) return;
    const { ws, p } = this;
    const cols = ws.cols;
    const nf = this.treeFeats.length;
    const feats = ws.feats;
    const sampleInMask = p.nodeFeatures > 0 && p.nodeFeatures < nf;
    // eval sets in plan order (B before S, as node by node: the column samples come out the same)
    const evalNodes: OpenNode[] = [];
    const evalOf = new Map<OpenNode, number>();
    for (const b of builds) {
      for (const node of [b.evalB, b.evalS]) {
        if (!node) continue;
        const e = evalNodes.length;
        if (e >= ws.evalSets) throw new Error("Grower: more eval nodes than eval sets");
        evalNodes.push(node);
        evalOf.set(node, e);
        ws.evalGHN[3 * e] = node.G;
        ws.evalGHN[3 * e + 1] = node.H;
        ws.evalGHN[3 * e + 2] = node.end - node.start;
        const m = ws.masks;
        m.fill(0, e * cols, (e + 1) * cols);
        if (sampleInMask) {
          const k = this.sampleFeatures();
          for (let j = 0; j < k; j++) m[e * cols + this.sampled[j]] = 1;
        } else {
          for (let j = 0; j < nf; j++) m[e * cols + feats[j]] = 1;
        }
      }
    }
    const g0 = feats[0] >> 2;
    const nG = (feats[nf - 1] >> 2) - g0 + 1;
    let totalWork = 0;
    for (const b of builds) totalWork += (b.node.end - b.node.start) * nf;
    const threads = this.runner.threads;
    const parallel = threads > 1 && totalWork >= this.parallelMinWork;
    // NODE units: cut a node into feature-group ranges only when the level has too few units to
    // keep every thread busy (each range re-reads the node's rows)
    const target = Math.max(1, totalWork / (3 * threads));
    // (and never more units than the unit table holds)
    const split = builds.length * threads <= MAX_UNITS / 2;
    const U = ws.units;
    let i = 0;
    while (i < builds.length) {
      // a batch of builds whose row blocks fit in the workspace's block histograms
      let blocksUsed = 0;
      // [work, unit ints]: written largest first, so that the units left at the end of the job
      // (when a thread that finds none waits for the others) are the small ones
      const list: [number, number[]][] = [];
      const finish: [Build, number, number][] = [];
      if (rootSum) {
        // the sums take about as long as a block: first
        const n = builds[0].node.end;
        list.push([Number.POSITIVE_INFINITY, [UNIT_SUMS, n, rootSum.identity ? 1 : 0]]);
      }
      for (; i < builds.length; i++) {
        const b = builds[i];
        const n = b.node.end - b.node.start;
        const nb = histBlocks(ws, n);
        if (nb > 0) {
          if (blocksUsed + nb > ws.blockSlots && blocksUsed > 0) break;
          for (let c = 0; c < nb; c++) {
            const a = b.node.start + Math.floor((n * c) / nb);
            const e = b.node.start + Math.floor((n * (c + 1)) / nb);
            list.push([(e - a) * nG, [UNIT_BLOCK, a, e, blocksUsed + c]]);
          }
          finish.push([b, blocksUsed, nb]);
          blocksUsed += nb;
        } else {
          const k = parallel && split ? Math.min(threads, nG, Math.ceil((n * nf) / target)) : 1;
          for (let r = 0; r < k; r++) {
            const ga = g0 + Math.floor((nG * r) / k);
            const gb = g0 + Math.floor((nG * (r + 1)) / k);
            const f = [UNIT_NODE, b.node.start, b.node.end, ...this.buildFields(b, evalOf), ga, gb];
            list.push([n * (gb - ga), f]);
          }
        }
      }
      list.sort((x, y) => y[0] - x[0]);
      const u = list.length;
      for (let v = 0; v < u; v++) U.set(list[v][1], v * UNIT_INTS);
      this.runUnits(KIND_LHIST, u, parallel);
      if (finish.length > 0) {
        // sum, subtract and evaluate blocked nodes by feature groups (at most 16 units a node)
        let v = 0;
        const per = Math.ceil(nG / 16);
        for (const [b, base, nb] of finish) {
          for (let g = 0; g < nG; g += per) {
            const f = [...this.buildFields(b, evalOf), g0 + g, g0 + Math.min(nG, g + per)];
            U.set([UNIT_NODE, 0, 0, ...f, base, nb], v++ * UNIT_INTS);
          }
        }
        this.runUnits(KIND_LFINISH, v, parallel);
      }
    }
    for (let e = 0; e < evalNodes.length; e++) this.takeBest(evalNodes[e], e, nf);
  }

  /** The best of evaluation e's per-feature splits (res rows of feats[0..nf)) onto its node. */
  private takeBest(node: OpenNode, e: number, nf: number): void {
    const ws = this.ws;
    const cols = ws.cols;
    let best = Number.NEGATIVE_INFINITY;
    let bf = -1;
    for (let j = 0; j < nf; j++) {
      const f = ws.feats[j];
      const g = ws.res[(e * cols + f) * RES_FIELDS];
      if (g > best) {
        best = g;
        bf = f;
      }
    }
    node.gain = best;
    if (bf >= 0) {
      const o = (e * cols + bf) * RES_FIELDS;
      node.feature = bf;
      node.bin = ws.res[o + 1];
      node.defaultLeft = ws.res[o + 2];
      node.GL = ws.res[o + 3];
      node.HL = ws.res[o + 4];
    }
  }

  /** A build's slots and eval sets: unit fields 3-6. */
  private buildFields(b: Build, evalOf: Map<OpenNode, number>): number[] {
    return [
      b.buildSlot,
      b.parentSlot,
      b.evalB ? (evalOf.get(b.evalB) as number) : -1,
      b.evalS ? (evalOf.get(b.evalS) as number) : -1,
    ];
  }

  /** A level job of `units` units: on the runner's threads, or all here. */
  private runUnits(kind: number, units: number, parallel: boolean): void {
    if (units === 0) return;
    const ws = this.ws;
    const J = ws.jobI;
    J[J_KIND] = kind;
    J[J_NFEATS] = this.treeFeats.length;
    if (parallel && this.runner.threads > 1) {
      J[J_UNITS] = units;
      this.runner.run(ws);
      J[J_UNITS] = 0;
      return;
    }
    const t0 = this.profile ? performance.now() : 0;
    for (let u = 0; u < units; u++) runLevelUnit(ws, kind, u);
    if (this.profile) addSerial(this.profile, "level jobs (small levels)", performance.now() - t0);
  }

  /**
   * Index-mode partition of a node's rows: a large node on the runner's threads (a PART job,
   * each part split stably into partL / partR, then a STITCH job concatenating them back into
   * idx in part order: the same order as one pass), a small one in this thread. Returns mid.
   */
  private partition(node: OpenNode): number {
    const { ws, runner } = this;
    const n = node.end - node.start;
    if (runner.threads <= 1 || ws.partL.length === 0 || n < PARALLEL_PARTITION_ROWS) {
      if (!this.profile) return partitionIndices(ws, node, this.scratch);
      const t0 = performance.now();
      const mid = partitionIndices(ws, node, this.scratch);
      addSerial(this.profile, "partition (small nodes)", performance.now() - t0);
      return mid;
    }
    const J = ws.jobI;
    J[J_KIND] = KIND_PART;
    J[J_START] = node.start;
    J[J_END] = node.end;
    J[J_PF] = node.feature;
    J[J_PB] = node.bin;
    J[J_PDL] = node.defaultLeft;
    runner.run(ws);
    // the parts' pieces go back into idx on the threads too (STITCH, same rows and parts)
    J[J_KIND] = KIND_STITCH;
    runner.run(ws);
    let mid = node.start;
    for (let c = 0; c < runner.chunks; c++) mid += ws.partCounts[c];
    return mid;
  }

  private open(
    id: number,
    start: number,
    end: number,
    G: number,
    H: number,
    depth: number,
  ): OpenNode {
    return {
      id,
      start,
      end,
      G,
      H,
      depth,
      slot: -1,
      gain: Number.NEGATIVE_INFINITY,
      feature: -1,
      bin: 0,
      defaultLeft: 0,
      GL: 0,
      HL: 0,
    };
  }

  /** Could this node be split at all (depth, rows and hessian budget)? */
  private eligible(n: OpenNode): boolean {
    const p = this.p;
    if (p.maxDepth > 0 && n.depth >= p.maxDepth) return false;
    const rows = n.end - n.start;
    if (p.stopWhenPure && (n.G === 0 || n.G === -n.H)) return false;
    return rows >= 2 && rows >= 2 * p.minRowsPerLeaf && n.H >= 2 * p.minChildWeight;
  }

  private alloc(): number {
    return this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : -1;
  }

  private free(slot: number): void {
    if (slot > SCRATCH) this.freeSlots.push(slot);
  }

  /** Children of a split node: histograms (by subtraction when possible) and best splits. */
  private evalChildren(parent: OpenNode, L: OpenNode, R: OpenNode): void {
    const eligL = this.eligible(L);
    const eligR = this.eligible(R);
    if (!eligL && !eligR) {
      this.free(parent.slot);
      return;
    }
    if (this.p.subtraction && parent.slot >= 0) {
      const leftSmall = L.end - L.start <= R.end - R.start;
      const S = leftSmall ? L : R;
      const B = leftSmall ? R : L;
      const eligS = leftSmall ? eligL : eligR;
      const eligB = leftSmall ? eligR : eligL;
      if (eligB) {
        let sSlot = eligS ? this.alloc() : SCRATCH;
        if (sSlot < 0) sSlot = SCRATCH;
        const evals: [OpenNode, number][] = [[B, parent.slot]];
        if (eligS) evals.push([S, sSlot]);
        this.job(S, sSlot, parent.slot, this.treeFeats, this.treeFeats.length, evals);
        B.slot = parent.slot;
        S.slot = eligS && sSlot !== SCRATCH ? sSlot : -1;
      } else {
        this.job(S, parent.slot, -1, this.treeFeats, this.treeFeats.length, [[S, parent.slot]]);
        S.slot = parent.slot;
      }
      return;
    }
    this.free(parent.slot);
    for (const [c, elig] of [
      [L, eligL],
      [R, eligR],
    ] as const) {
      if (!elig) continue;
      c.slot = this.evalDirect(c, this.p.subtraction ? this.alloc() : -1);
    }
  }

  /** Build a node's histogram from its rows and find its split; returns the kept slot or -1. */
  private evalDirect(node: OpenNode, slot: number): number {
    const s = slot < 0 ? SCRATCH : slot;
    if (this.p.subtraction) {
      this.job(node, s, -1, this.treeFeats, this.treeFeats.length, [[node, s]]);
    } else if (node.end - node.start <= SMALL_NODE_ROWS) {
      this.evalSmall(node, this.sampleFeatures());
    } else {
      const k = this.sampleFeatures();
      this.job(node, s, -1, this.sampled, k, [[node, s]]);
    }
    return slot;
  }

  /** Sort-based split search of a small node over ws.sampled[0..k) (no histogram). */
  private evalSmall(node: OpenNode, k: number): void {
    const { ws, p } = this;
    let best = Number.NEGATIVE_INFINITY;
    let bo = -1;
    for (let j = 0; j < k; j++) {
      const f = this.sampled[j];
      const o = f * RES_FIELDS;
      findBestSplitSmall(
        this.orig ? ws.bins : ws.binsT,
        this.orig ? ws.cols : 1,
        this.orig ? 1 : ws.rows,
        ws.gh,
        ws.idx,
        node.start,
        node.end,
        f,
        ws.nBins[f],
        ws.missingBin[f],
        node.G,
        node.H,
        p,
        ws.res,
        o,
        this.scratch,
      );
      if (ws.res[o] > best) {
        best = ws.res[o];
        bo = o;
      }
    }
    node.gain = best;
    if (bo >= 0) {
      node.feature = bo / RES_FIELDS;
      node.bin = ws.res[bo + 1];
      node.defaultLeft = ws.res[bo + 2];
      node.GL = ws.res[bo + 3];
      node.HL = ws.res[bo + 4];
    }
  }

  /** Features node may split on, in ws.sampled[0..k) ascending. */
  private sampleFeatures(): number {
    const all = this.treeFeats;
    const n = all.length;
    const k = this.p.nodeFeatures > 0 && this.p.nodeFeatures < n ? this.p.nodeFeatures : n;
    const s = this.sampled;
    s.set(all);
    if (k < n) {
      const rng = this.rng as Rng;
      for (let i = 0; i < k; i++) {
        const j = i + rng.int(n - i);
        const tmp = s[i];
        s[i] = s[j];
        s[j] = tmp;
      }
      s.subarray(0, k).sort();
    }
    return k;
  }

  /**
   * One histogram job: build rows of `build` into buildSlot over feats[0..nf), optionally
   * subtract from parentSlot, then find the best split of each eval node.
   */
  private job(
    build: OpenNode,
    buildSlot: number,
    parentSlot: number,
    feats: Int32Array,
    nf: number,
    evals: [OpenNode, number][],
  ): void {
    const { ws, p } = this;
    const J = ws.jobI;
    J[J_KIND] = KIND_HIST;
    J[J_HPARTS] = this.runner.threads;
    J[J_BUILD] = 1;
    J[J_BUILD_SLOT] = buildSlot;
    J[J_START] = build.start;
    J[J_END] = build.end;
    J[J_PARENT_SLOT] = parentSlot;
    J[J_NFEATS] = nf;
    J[J_NEVALS] = evals.length;
    if (feats !== ws.feats) ws.feats.set(feats.subarray(0, nf));
    const cols = ws.cols;
    // Per-node column sampling on top of a full histogram: mask the features per eval node.
    const sampleInMask = p.subtraction && p.nodeFeatures > 0 && p.nodeFeatures < nf;
    for (let e = 0; e < evals.length; e++) {
      const [node, slot] = evals[e];
      J[J_EVAL_SLOT + e] = slot;
      ws.jobF[3 * e] = node.G;
      ws.jobF[3 * e + 1] = node.H;
      ws.jobF[3 * e + 2] = node.end - node.start;
      const m = ws.masks;
      m.fill(0, e * cols, (e + 1) * cols);
      if (sampleInMask) {
        const k = this.sampleFeatures();
        for (let j = 0; j < k; j++) m[e * cols + this.sampled[j]] = 1;
      } else {
        for (let j = 0; j < nf; j++) m[e * cols + ws.feats[j]] = 1;
      }
    }
    const work = (build.end - build.start) * nf;
    const run = (): void => {
      if (this.runner.threads > 1 && work >= this.parallelMinWork) this.runner.run(ws);
      else if (!this.profile) runLocal(ws);
      else {
        const t0 = performance.now();
        runLocal(ws);
        addSerial(this.profile, "histogram jobs (small nodes)", performance.now() - t0);
      }
    };
    if (histBlocks(ws, build.end - build.start) > 0) {
      // blocked build: the row blocks' histograms first, then sum, subtract and evaluate
      J[J_PHASE] = 1;
      run();
    }
    J[J_PHASE] = 0;
    run();
    for (let e = 0; e < evals.length; e++) this.takeBest(evals[e][0], e, nf);
  }
}

function runLocal(ws: Workspace): void {
  executeJob(ws, 0, 1);
}

/** Remove and return the open node with the largest gain (ties: lowest id). */
function popMax(heap: OpenNode[]): OpenNode {
  let bi = 0;
  for (let i = 1; i < heap.length; i++) {
    const a = heap[i];
    const b = heap[bi];
    if (a.gain > b.gain || (a.gain === b.gain && a.id < b.id)) bi = i;
  }
  const node = heap[bi];
  heap[bi] = heap[heap.length - 1];
  heap.pop();
  return node;
}
