/**
 * Item-item similarities computed once per unordered pair, with top-K selection on both sides:
 * half the co-rating work of knn-kernel.ts (which visits every pair from both movies). Used by
 * item-knn.ts whenever each thread's K-heaps for all movies fit the memory budget.
 *
 * Users' rows are sorted by (internal) movie index and pos[p] gives, for entry p of movie i's
 * rater list, the position of i in that rater's row, so movie i's pass visits only the movies
 * j > i after it:
 *
 *   acc[j] += 4 + x_ui x_uj         (one read-modify-write per co-rating)
 *
 * The x are unit-normalised per movie, so |sum x_ui x_uj| <= 1 < 2 and acc[j] = 4 n + dot
 * packs the co-rater count n = round(acc / 4) and the dot product = acc - 4 n into one double:
 * the count is exact, and while acc < 2^21 (n < 500k co-raters) each addition rounds the dot
 * by at most 2^-32, far below the float32 the similarities are stored in. Then sim = dot * n / (n + shrinkage) for n >= minSupport and each positive (i, j)
 * goes into both i's and j's K-heap of this thread. Every pair belongs to the movie with the
 * smaller index, so each thread's heaps hold the best of a disjoint share of the pairs and the
 * merge of all threads' heaps (item-knn.ts) is the exact top-K: the same lists for any thread
 * count and scheduling.
 *
 *   heaps (per thread): hSim[m*K ..], hIdx[m*K ..], hSize[m]   min-heaps, worst at the root
 *                       floor[m] = root similarity once full (-inf before): a compact array
 *                       that rejects most candidates without touching the heap's cache lines
 */
import type { SparseRows } from "../factorization/sparse-rows.js";
import type { KnnParams } from "./knn-kernel.js";

export interface PairBuffers {
  /** movie -> (user, x) */
  byMovie: SparseRows;
  /** user -> (movie, x), each row sorted by movie */
  byUser: SparseRows;
  /** For byMovie entry p (movie i, user u): the index of i's entry in byUser's row of u. */
  pos: Int32Array;
}

/** One thread's K-heaps over all movies (SharedArrayBuffers so the main thread merges them). */
export interface PairHeaps {
  sim: Float64Array;
  idx: Int32Array;
  size: Int32Array;
  floor: Float64Array;
}

export function newPairHeaps(nMovies: number, K: number): PairHeaps {
  const n = Math.max(1, nMovies * K);
  return {
    sim: new Float64Array(new SharedArrayBuffer(n * 8)),
    idx: new Int32Array(new SharedArrayBuffer(n * 4)),
    size: new Int32Array(new SharedArrayBuffer(Math.max(1, nMovies) * 4)),
    floor: new Float64Array(new SharedArrayBuffer(Math.max(1, nMovies) * 8)).fill(
      Number.NEGATIVE_INFINITY,
    ),
  };
}

/** Bytes of newPairHeaps (the caller checks them against a budget). */
export function pairHeapBytes(nMovies: number, K: number): number {
  return nMovies * K * 12 + nMovies * 12;
}

/**
 * The transpose of `byMovie` with every user's row sorted by movie, plus pos (see PairBuffers).
 */
export function sortedUserRows(
  byMovie: SparseRows,
  nUsers: number,
): { byUser: SparseRows; pos: Int32Array } {
  const nnz = byMovie.idx.length;
  const ptr = new Int32Array(new SharedArrayBuffer((nUsers + 1) * 4));
  for (let p = 0; p < nnz; p++) ptr[byMovie.idx[p] + 1]++;
  for (let u = 0; u < nUsers; u++) ptr[u + 1] += ptr[u];
  const fill = ptr.slice(0, nUsers);
  const idx = new Int32Array(new SharedArrayBuffer(Math.max(1, nnz) * 4));
  const val = new Float32Array(new SharedArrayBuffer(Math.max(1, nnz) * 4));
  const pos = new Int32Array(new SharedArrayBuffer(Math.max(1, nnz) * 4));
  // visiting movies in order appends them to each user's row in order
  for (let i = 0; i < byMovie.rows; i++) {
    for (let p = byMovie.ptr[i]; p < byMovie.ptr[i + 1]; p++) {
      const q = fill[byMovie.idx[p]]++;
      idx[q] = i;
      val[q] = byMovie.val[p];
      pos[p] = q;
    }
  }
  return { byUser: { rows: nUsers, ptr, idx, val }, pos };
}

export class PairScratch {
  readonly acc: Float64Array;
  readonly touched: Int32Array;
  constructor(nMovies: number) {
    this.acc = new Float64Array(nMovies);
    this.touched = new Int32Array(nMovies);
  }
}

/** true when (s1, j1) ranks below (s2, j2): lower similarity, or equal and larger index. */
function worse(s1: number, j1: number, s2: number, j2: number): boolean {
  return s1 < s2 || (s1 === s2 && j1 > j2);
}

/** Offer (sv, jv) to movie m's heap. */
function offer(h: PairHeaps, K: number, m: number, sv: number, jv: number): void {
  const hs = h.sim;
  const hi = h.idx;
  const o = m * K;
  const size = h.size[m];
  if (size < K) {
    let k = size;
    h.size[m] = size + 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!worse(sv, jv, hs[o + parent], hi[o + parent])) break;
      hs[o + k] = hs[o + parent];
      hi[o + k] = hi[o + parent];
      k = parent;
    }
    hs[o + k] = sv;
    hi[o + k] = jv;
    if (size + 1 === K) h.floor[m] = hs[o];
    return;
  }
  if (!worse(hs[o], hi[o], sv, jv)) return;
  // replace the root and sift down
  let k = 0;
  for (;;) {
    const l = 2 * k + 1;
    if (l >= K) break;
    const r = l + 1;
    const c = r < K && worse(hs[o + r], hi[o + r], hs[o + l], hi[o + l]) ? r : l;
    if (!worse(hs[o + c], hi[o + c], sv, jv)) break;
    hs[o + k] = hs[o + c];
    hi[o + k] = hi[o + c];
    k = c;
  }
  hs[o + k] = sv;
  hi[o + k] = jv;
  h.floor[m] = hs[o];
}

/** Pairs (i, j > i) for movies i in [from, to), offered to this thread's heaps. */
export function knnPairsRange(
  prm: KnnParams,
  buf: PairBuffers,
  from: number,
  to: number,
  s: PairScratch,
  heaps: PairHeaps,
): void {
  const { byMovie, byUser, pos } = buf;
  const { acc, touched } = s;
  const K = prm.K;
  const floor = heaps.floor;
  const { minSupport, shrinkage } = prm;
  const mPtr = byMovie.ptr;
  const mIdx = byMovie.idx;
  const mVal = byMovie.val;
  const uPtr = byUser.ptr;
  const uIdx = byUser.idx;
  const uVal = byUser.val;
  const nMovies = byMovie.rows;
  for (let i = from; i < to; i++) {
    let nt = 0;
    const pStart = mPtr[i];
    const pEnd = mPtr[i + 1];
    // co-ratings this movie will add up; when they outnumber the movies after it, a plain
    // scan of acc finds the touched ones more cheaply than tracking first touches (a branch
    // that mispredicts on every new pair)
    let work = 0;
    for (let p = pStart; p < pEnd; p++) work += uPtr[mIdx[p] + 1] - pos[p] - 1;
    if (work >= nMovies - i) {
      for (let p = pStart; p < pEnd; p++) {
        const u = mIdx[p];
        const xi = mVal[p];
        const end = uPtr[u + 1];
        for (let q = pos[p] + 1; q < end; q++) {
          const j = uIdx[q];
          acc[j] += 4 + xi * uVal[q];
        }
      }
      for (let j = i + 1; j < nMovies; j++) if (acc[j] !== 0) touched[nt++] = j;
    } else {
      for (let p = pStart; p < pEnd; p++) {
        const u = mIdx[p];
        const xi = mVal[p];
        const end = uPtr[u + 1];
        for (let q = pos[p] + 1; q < end; q++) {
          const j = uIdx[q];
          const a = acc[j];
          // a > 0 once touched: every term is >= 4 - 1
          if (a === 0) touched[nt++] = j;
          acc[j] = a + 4 + xi * uVal[q];
        }
      }
    }
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      const a = acc[j];
      acc[j] = 0;
      const n = Math.round(a * 0.25);
      const dot = a - 4 * n;
      if (!(dot > 0) || n < minSupport) continue;
      const sim = dot * (n / (n + shrinkage));
      // below a full heap's root: cannot enter (equal goes through, for the index tie-break)
      if (sim >= floor[i]) offer(heaps, K, i, sim, j);
      if (sim >= floor[j]) offer(heaps, K, j, sim, i);
    }
  }
}

/**
 * Merge the threads' heaps into best-first lists: out nbr[m*K ..], sim[...], count[m], by
 * (similarity desc, index asc).
 */
export function mergePairHeaps(
  all: PairHeaps[],
  nMovies: number,
  K: number,
  nbr: Int32Array,
  sim: Float32Array,
  count: Int32Array,
): void {
  const cs: number[] = [];
  const ci: number[] = [];
  const order: number[] = [];
  for (let m = 0; m < nMovies; m++) {
    cs.length = 0;
    ci.length = 0;
    for (const h of all) {
      const o = m * K;
      for (let t = 0; t < h.size[m]; t++) {
        cs.push(h.sim[o + t]);
        ci.push(h.idx[o + t]);
      }
    }
    order.length = 0;
    for (let t = 0; t < cs.length; t++) order.push(t);
    order.sort((a, b) => cs[b] - cs[a] || ci[a] - ci[b]);
    const n = Math.min(K, order.length);
    count[m] = n;
    for (let t = 0; t < n; t++) {
      nbr[m * K + t] = ci[order[t]];
      sim[m * K + t] = cs[order[t]];
    }
  }
}
