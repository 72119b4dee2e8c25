/**
 * Item-kNN on training ratings. Similarity: "adjusted-cosine" (ratings centred by the user's
 * mean) or "pearson" (centred by the movie's mean): the cosine of the two movies' centred
 * rating vectors, each normalised over all its raters (as LensKit's item-item does; with
 * co-rater norms the cost would triple), shrunk by n / (n + shrinkage) towards 0 for pairs with
 * few co-raters n. Each movie keeps its top-K positive neighbours as a sparse list (CSR typed
 * arrays), best first, ties broken by popularity.
 *
 * Neighbourhood score of (u, i) = sum_j s_ij (r_uj - mean_u) / sum_j s_ij over the neighbours j
 * of i that u rated (0 when none), with their count: a mean-centred "how much more than usual
 * does u like what resembles i". Computing the lists costs sum over users of n_u^2 / 2: each
 * pair of movies is scored once and offered to both movies' top-K heaps (knn-pairs-kernel.ts;
 * knn-kernel.ts scores each movie's pairs separately, twice the work, and runs only when the
 * per-thread heaps would exceed PAIR_HEAP_BUDGET). It runs over worker threads, identical for
 * any thread count.
 *
 *   neighbours of movie i: nbr[ptr[i] .. ptr[i+1]), sim[...]   (best first)
 */
import { Worker } from "node:worker_threads";
import { CinerankError } from "../../core/index.js";
import type { MfFitContext } from "../factorization/biased-mf.js";
import { packModel, unpackModel } from "../factorization/pack.js";
import type { RatingTriples } from "../factorization/rating-triples.js";
import { defaultThreads } from "../factorization/default-threads.js";
import { buildSparseRows, type SparseRows } from "../factorization/sparse-rows.js";
import { type ConfigRule, validateConfig } from "../linear/validate-config.js";
import type { SearchSpace } from "../model.js";
import { type KnnBuffers, type KnnParams, KnnScratch, knnRange } from "./knn-kernel.js";
import {
  knnPairsRange,
  mergePairHeaps,
  newPairHeaps,
  type PairHeaps,
  PairScratch,
  pairHeapBytes,
  sortedUserRows,
} from "./knn-pairs-kernel.js";

/**
 * Memory allowed for the per-thread K-heaps of the pairwise kernel (threads x nMovies x K x 12
 * bytes); above it (very large K on a large catalogue) the per-movie kernel runs instead.
 */
const PAIR_HEAP_BUDGET = 1 << 30;

export interface ItemKnnConfig {
  /** Neighbours kept per movie (K). */
  neighbours: number;
  similarity: "adjusted-cosine" | "pearson";
  /** Shrink similarities by n / (n + shrinkage), n = co-raters. */
  shrinkage: number;
  /** Minimum co-raters for a similarity to count. */
  minSupport: number;
}

export const itemKnnDefaults: ItemKnnConfig = {
  neighbours: 50,
  similarity: "adjusted-cosine",
  shrinkage: 100,
  minSupport: 2,
};

const rules: { [K in keyof ItemKnnConfig]: ConfigRule } = {
  neighbours: { type: "int", min: 1, max: 10000 },
  similarity: { type: "choice", values: ["adjusted-cosine", "pearson"] },
  shrinkage: { type: "float", min: 0 },
  minSupport: { type: "int", min: 1 },
};

export function itemKnnConfig(partial?: Partial<ItemKnnConfig>): ItemKnnConfig {
  return validateConfig("item-knn", itemKnnDefaults, rules, partial);
}

export const itemKnnSearchSpace: SearchSpace = {
  random: {
    neighbours: { type: "int", min: 10, max: 200, log: true },
    shrinkage: { type: "float", min: 1, max: 500, log: true },
    similarity: { type: "choice", values: ["adjusted-cosine", "pearson"] },
  },
  grid: { neighbours: [20, 50, 100], shrinkage: [10, 100] },
};

const FORMAT = "cinerank-item-knn";
const VERSION = 1;

/** A fitted item-kNN: neighbour lists plus the training ratings it scores users with. */
export class ItemKnnModel {
  private mark: Int32Array;
  private value: Float32Array;
  private stamp = 0;

  constructor(
    readonly config: ItemKnnConfig,
    readonly nUsers: number,
    readonly nMovies: number,
    /** Neighbour lists (CSR over movies). */
    readonly ptr: Int32Array,
    readonly nbr: Int32Array,
    readonly sim: Float32Array,
    /** Training mean rating per user (0 for users without ratings). */
    readonly userMean: Float32Array,
    /** user -> rated movies and (rating - user mean). */
    readonly userRows: SparseRows,
  ) {
    this.mark = new Int32Array(nMovies);
    this.value = new Float32Array(nMovies);
  }

  /** Neighbours of movie m, best first. */
  neighboursOf(m: number): { movies: Int32Array; sims: Float32Array } {
    if (m < 0 || m >= this.nMovies) return { movies: new Int32Array(0), sims: new Float32Array(0) };
    return {
      movies: this.nbr.subarray(this.ptr[m], this.ptr[m + 1]),
      sims: this.sim.subarray(this.ptr[m], this.ptr[m + 1]),
    };
  }

  /** The same lists in the shape recommend/'s ItemNeighbours expects. */
  neighbours(m: number): { movie: Int32Array; sim: Float32Array } {
    const { movies, sims } = this.neighboursOf(m);
    return { movie: movies, sim: sims };
  }

  knowsUser(u: number): boolean {
    return u >= 0 && u < this.nUsers && this.userRows.ptr[u + 1] > this.userRows.ptr[u];
  }

  /** Load a profile (movie -> centred rating) into the dense lookup; returns its stamp. */
  private loadProfile(movies: ArrayLike<number>, centred: ArrayLike<number>): number {
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    for (let j = 0; j < movies.length; j++) {
      const m = movies[j];
      if (m < 0 || m >= this.nMovies) continue;
      this.mark[m] = this.stamp;
      this.value[m] = centred[j];
    }
    return this.stamp;
  }

  private scoreLoaded(
    m: number,
    st: number,
    out: Float32Array,
    stride: number,
    offset: number,
    row: number,
  ): void {
    let num = 0;
    let den = 0;
    let n = 0;
    if (m >= 0 && m < this.nMovies) {
      for (let p = this.ptr[m]; p < this.ptr[m + 1]; p++) {
        const j = this.nbr[p];
        if (this.mark[j] !== st) continue;
        const s = this.sim[p];
        num += s * this.value[j];
        den += s;
        n++;
      }
    }
    out[row * stride + offset] = den > 0 ? num / den : 0;
    out[row * stride + offset + 1] = n;
  }

  private loadUser(u: number): number {
    const r = this.userRows;
    if (u < 0 || u >= this.nUsers) return this.loadProfile([], []);
    return this.loadProfile(
      r.idx.subarray(r.ptr[u], r.ptr[u + 1]),
      r.val.subarray(r.ptr[u], r.ptr[u + 1]),
    );
  }

  /**
   * Neighbourhood score and neighbour count of pairs (users[i], movies[i]) into
   * out[i*stride + offset] and out[i*stride + offset + 1]. Pairs are grouped by user so each
   * user's ratings are loaded once.
   */
  scorePairs(
    users: Int32Array,
    movies: Int32Array,
    out: Float32Array,
    stride = 2,
    offset = 0,
  ): void {
    const n = users.length;
    const order = Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => users[a] - users[b] || a - b,
    );
    let cur = Number.NaN;
    let st = 0;
    for (let t = 0; t < n; t++) {
      const i = order[t];
      if (users[i] !== cur) {
        cur = users[i];
        st = this.loadUser(cur);
      }
      this.scoreLoaded(movies[i], st, out, stride, offset, i);
    }
  }

  /** Score movies for a user given explicit ratings (a live or new profile). */
  scoreProfile(
    profile: { movie: Int32Array; rating: Float32Array },
    movies: Int32Array,
    out: Float32Array,
    stride = 2,
    offset = 0,
  ): void {
    let mean = 0;
    for (let j = 0; j < profile.rating.length; j++) mean += profile.rating[j];
    mean = profile.rating.length ? mean / profile.rating.length : 0;
    const centred = Float32Array.from(profile.rating, (r) => r - mean);
    this.scoreDense(profile.movie, centred, movies, out, stride, offset);
  }

  /** Score movies for a known user (fitted ratings). */
  scoreUser(u: number, movies: Int32Array, out: Float32Array, stride = 2, offset = 0): void {
    const r = this.userRows;
    const known = u >= 0 && u < this.nUsers;
    const from = known ? r.ptr[u] : 0;
    const to = known ? r.ptr[u + 1] : 0;
    this.scoreDense(
      r.idx.subarray(from, to),
      r.val.subarray(from, to),
      movies,
      out,
      stride,
      offset,
    );
  }

  /** Dense per-movie tables of one user's ratings for scoreDense (zero between calls). */
  private denseValue: Float32Array | null = null;
  private denseRated: Float32Array | null = null;

  /**
   * scoreLoaded for every movie of one user (a serving request scores a few hundred
   * candidates): the user's centred ratings are scattered into dense tables that are 0 for
   * movies the user did not rate, so each neighbour adds s * value and s * rated without a
   * test — an unrated neighbour adds +0 to sums that start at +0 with positive similarities,
   * which leaves them unchanged: the same sums, in the same order, as scoreLoaded. The tables
   * are cleared again afterwards.
   */
  private scoreDense(
    rated: Int32Array,
    centred: Float32Array,
    movies: Int32Array,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void {
    const { ptr, nbr, sim, nMovies } = this;
    this.denseValue ??= new Float32Array(nMovies);
    this.denseRated ??= new Float32Array(nMovies);
    const value = this.denseValue;
    const has = this.denseRated;
    for (let j = 0; j < rated.length; j++) {
      const m = rated[j];
      if (m < 0 || m >= nMovies) continue;
      value[m] = centred[j];
      has[m] = 1;
    }
    // Four candidates side by side over their common length (four independent chains of
    // additions), then each one's rest: every sum still runs over its list in order.
    const n = movies.length;
    const from = (m: number) => (m >= 0 && m < nMovies ? ptr[m] : 0);
    const to = (m: number) => (m >= 0 && m < nMovies ? ptr[m + 1] : 0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const a0 = from(movies[i]);
      const a1 = from(movies[i + 1]);
      const a2 = from(movies[i + 2]);
      const a3 = from(movies[i + 3]);
      const e0 = to(movies[i]);
      const e1 = to(movies[i + 1]);
      const e2 = to(movies[i + 2]);
      const e3 = to(movies[i + 3]);
      const len = Math.min(e0 - a0, e1 - a1, e2 - a2, e3 - a3);
      let num0 = 0;
      let num1 = 0;
      let num2 = 0;
      let num3 = 0;
      let den0 = 0;
      let den1 = 0;
      let den2 = 0;
      let den3 = 0;
      let n0 = 0;
      let n1 = 0;
      let n2 = 0;
      let n3 = 0;
      for (let p = 0; p < len; p++) {
        const j0 = nbr[a0 + p];
        const j1 = nbr[a1 + p];
        const j2 = nbr[a2 + p];
        const j3 = nbr[a3 + p];
        const s0 = sim[a0 + p];
        const s1 = sim[a1 + p];
        const s2 = sim[a2 + p];
        const s3 = sim[a3 + p];
        num0 += s0 * value[j0];
        num1 += s1 * value[j1];
        num2 += s2 * value[j2];
        num3 += s3 * value[j3];
        den0 += s0 * has[j0];
        den1 += s1 * has[j1];
        den2 += s2 * has[j2];
        den3 += s3 * has[j3];
        n0 += has[j0];
        n1 += has[j1];
        n2 += has[j2];
        n3 += has[j3];
      }
      for (let p = a0 + len; p < e0; p++) {
        const j = nbr[p];
        num0 += sim[p] * value[j];
        den0 += sim[p] * has[j];
        n0 += has[j];
      }
      for (let p = a1 + len; p < e1; p++) {
        const j = nbr[p];
        num1 += sim[p] * value[j];
        den1 += sim[p] * has[j];
        n1 += has[j];
      }
      for (let p = a2 + len; p < e2; p++) {
        const j = nbr[p];
        num2 += sim[p] * value[j];
        den2 += sim[p] * has[j];
        n2 += has[j];
      }
      for (let p = a3 + len; p < e3; p++) {
        const j = nbr[p];
        num3 += sim[p] * value[j];
        den3 += sim[p] * has[j];
        n3 += has[j];
      }
      const o = i * stride + offset;
      out[o] = den0 > 0 ? num0 / den0 : 0;
      out[o + 1] = n0;
      out[o + stride] = den1 > 0 ? num1 / den1 : 0;
      out[o + stride + 1] = n1;
      out[o + 2 * stride] = den2 > 0 ? num2 / den2 : 0;
      out[o + 2 * stride + 1] = n2;
      out[o + 3 * stride] = den3 > 0 ? num3 / den3 : 0;
      out[o + 3 * stride + 1] = n3;
    }
    for (; i < n; i++) {
      const m = movies[i];
      let num = 0;
      let den = 0;
      let c = 0;
      for (let p = from(m), end = to(m); p < end; p++) {
        const j = nbr[p];
        num += sim[p] * value[j];
        den += sim[p] * has[j];
        c += has[j];
      }
      out[i * stride + offset] = den > 0 ? num / den : 0;
      out[i * stride + offset + 1] = c;
    }
    for (let j = 0; j < rated.length; j++) {
      const m = rated[j];
      if (m < 0 || m >= nMovies) continue;
      value[m] = 0;
      has[m] = 0;
    }
  }

  serialize(): Uint8Array {
    return packModel(
      {
        format: FORMAT,
        version: VERSION,
        config: this.config,
        nUsers: this.nUsers,
        nMovies: this.nMovies,
      },
      {
        ptr: this.ptr,
        nbr: this.nbr,
        sim: this.sim,
        userMean: this.userMean,
        userPtr: this.userRows.ptr,
        userIdx: this.userRows.idx,
        userVal: this.userRows.val,
      },
    );
  }

  static load(bytes: Uint8Array): ItemKnnModel {
    const { header: h, arrays: a } = unpackModel(bytes, FORMAT, VERSION);
    const nU = h.nUsers as number;
    const nM = h.nMovies as number;
    if (a.ptr?.length !== nM + 1 || a.userPtr?.length !== nU + 1 || a.userMean?.length !== nU) {
      throw new CinerankError("ERR_MODEL_FORMAT", `${FORMAT}: array sizes do not match the header`);
    }
    return new ItemKnnModel(
      itemKnnConfig(h.config as ItemKnnConfig),
      nU,
      nM,
      a.ptr as Int32Array,
      a.nbr as Int32Array,
      a.sim as Float32Array,
      a.userMean as Float32Array,
      {
        rows: nU,
        ptr: a.userPtr as Int32Array,
        idx: a.userIdx as Int32Array,
        val: a.userVal as Float32Array,
      },
    );
  }
}

async function runWorkers(
  buf: KnnBuffers,
  prm: KnnParams,
  threads: number,
  heaps: PairHeaps[] | null,
  onDone: (movies: number) => void,
): Promise<void> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const chunk = 16;
  await Promise.all(
    Array.from(
      { length: threads },
      (_, t) =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(new URL("./knn-worker.js", import.meta.url), {
            workerData: { buf, prm, counter, chunk, heaps: heaps ? heaps[t] : null },
          });
          w.on("message", (m: { ok?: boolean; error?: string; progress?: number }) => {
            if (m.progress !== undefined) onDone(m.progress);
            else if (m.ok) resolve();
            else reject(new Error(`item-kNN worker failed: ${m.error}`));
          });
          w.once("error", reject);
        }),
    ),
  );
}

/** Fit item-kNN neighbour lists on `train`. */
export async function fitItemKnn(
  train: RatingTriples,
  config: Partial<ItemKnnConfig>,
  ctx: Omit<MfFitContext, "rng"> & {
    rng?: MfFitContext["rng"];
    /** "per-movie" forces knn-kernel.ts (tests compare the kernels); default: pairwise if it fits. */
    kernel?: "auto" | "per-movie";
  } = {},
): Promise<ItemKnnModel> {
  const cfg = itemKnnConfig(config);
  const { nUsers, nMovies } = train;
  const n = train.rating.length;
  const userSum = new Float64Array(nUsers);
  const userCnt = new Int32Array(nUsers);
  const movieSum = new Float64Array(nMovies);
  const movieCnt = new Int32Array(nMovies);
  for (let i = 0; i < n; i++) {
    userSum[train.user[i]] += train.rating[i];
    userCnt[train.user[i]]++;
    movieSum[train.movie[i]] += train.rating[i];
    movieCnt[train.movie[i]]++;
  }
  const userMean = Float32Array.from(userSum, (s, u) => (userCnt[u] ? s / userCnt[u] : 0));
  const centredByUser = new Float32Array(n);
  const x = new Float32Array(n);
  const norm2 = new Float64Array(nMovies);
  for (let i = 0; i < n; i++) {
    const r = train.rating[i];
    centredByUser[i] = r - userMean[train.user[i]];
    const m = train.movie[i];
    x[i] = cfg.similarity === "pearson" ? r - movieSum[m] / movieCnt[m] : centredByUser[i];
    norm2[m] += x[i] * x[i];
  }
  // unit-normalise each movie's vector so the kernel's dot product is the cosine
  for (let i = 0; i < n; i++) {
    const q = norm2[train.movie[i]];
    x[i] = q > 0 ? x[i] / Math.sqrt(q) : 0;
  }
  // internal numbering by descending popularity keeps the accumulator's hot part in cache
  const byPop = Int32Array.from({ length: nMovies }, (_, i) => i).sort(
    (a, b) => movieCnt[b] - movieCnt[a] || a - b,
  );
  const rank = new Int32Array(nMovies);
  for (let r = 0; r < nMovies; r++) rank[byPop[r]] = r;
  const internal = Int32Array.from(train.movie, (m) => rank[m]);
  const K = cfg.neighbours;
  const byMovie = buildSparseRows(nMovies, internal, train.user, x);
  const { byUser, pos } = sortedUserRows(byMovie, nUsers);
  const buf: KnnBuffers & { pos: Int32Array } = {
    byMovie,
    byUser,
    pos,
    nbr: new Int32Array(new SharedArrayBuffer(Math.max(1, nMovies * K) * 4)),
    sim: new Float32Array(new SharedArrayBuffer(Math.max(1, nMovies * K) * 4)),
    count: new Int32Array(new SharedArrayBuffer(Math.max(1, nMovies) * 4)),
  };
  const prm: KnnParams = { K, shrinkage: cfg.shrinkage, minSupport: cfg.minSupport };
  const threads = Math.max(1, ctx.threads ?? defaultThreads(train.rating.length));
  let done = 0;
  const report = (d: number) => {
    done += d;
    ctx.onProgress?.({ stage: "item-knn", done, total: nMovies, unit: "movies" });
  };
  const nThreads = threads === 1 || nMovies < 64 ? 1 : threads;
  // pairwise kernel (each pair once) when the per-thread heaps fit the budget
  const heaps =
    ctx.kernel !== "per-movie" && nThreads * pairHeapBytes(nMovies, K) <= PAIR_HEAP_BUDGET
      ? Array.from({ length: nThreads }, () => newPairHeaps(nMovies, K))
      : null;
  if (nThreads === 1) {
    const scratch = heaps ? new PairScratch(nMovies) : new KnnScratch(nMovies, K);
    for (let from = 0; from < nMovies; from += 256) {
      const to = Math.min(nMovies, from + 256);
      if (heaps) knnPairsRange(prm, buf, from, to, scratch as PairScratch, heaps[0]);
      else knnRange(prm, buf, from, to, scratch as KnnScratch);
      report(to - from);
    }
  } else {
    await runWorkers(buf, prm, nThreads, heaps, report);
  }
  if (heaps) mergePairHeaps(heaps, nMovies, K, buf.nbr, buf.sim, buf.count);
  // compact the fixed-K lists into CSR over the original movie numbering
  const ptr = new Int32Array(nMovies + 1);
  for (let m = 0; m < nMovies; m++) ptr[m + 1] = ptr[m] + buf.count[rank[m]];
  const nbr = new Int32Array(ptr[nMovies]);
  const sim = new Float32Array(ptr[nMovies]);
  for (let m = 0; m < nMovies; m++) {
    const o = rank[m] * K;
    for (let t = 0; t < buf.count[rank[m]]; t++) {
      nbr[ptr[m] + t] = byPop[buf.nbr[o + t]];
      sim[ptr[m] + t] = buf.sim[o + t];
    }
  }
  const userRows = buildSparseRows(nUsers, train.user, train.movie, centredByUser);
  return new ItemKnnModel(cfg, nUsers, nMovies, ptr, nbr, sim, userMean, userRows);
}
