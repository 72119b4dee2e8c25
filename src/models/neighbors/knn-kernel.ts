/**
 * Item-item similarities and top-K neighbour selection for a range of movies. Ratings arrive
 * centred and divided by their movie's norm (item-knn.ts), so the cosine of movies i and j is a
 * plain dot product. For movie i, one pass over its raters u and each rater's movies j
 * accumulates, in a dense per-thread accumulator over all movies (interleaved so that one
 * cache line holds both numbers of a movie),
 *
 *   acc[2j] += x_ui x_uj        acc[2j + 1] += 1        (dot product, co-raters)
 *
 * then sim = dot * n / (n + shrinkage) for n >= minSupport co-raters, and a size-K min-heap
 * keeps the best positive ones. Work is sum over users of n_u^2; every movie is independent,
 * so threads split movies freely and results do not depend on the split. Movies are numbered
 * by descending popularity here (item-knn.ts remaps), which keeps the hot part of the
 * accumulator in cache.
 *
 *   out (movie i):  nbr[i*K .. i*K+count[i])  sim[...]   sorted by sim desc, then index asc
 *   (indices here are the internal popularity ranks)
 */
import type { SparseRows } from "../factorization/sparse-rows.js";

export interface KnnParams {
  K: number;
  shrinkage: number;
  minSupport: number;
}

export interface KnnBuffers {
  /** movie -> (user, centred rating) */
  byMovie: SparseRows;
  /** user -> (movie, centred rating) */
  byUser: SparseRows;
  nbr: Int32Array;
  sim: Float32Array;
  count: Int32Array;
}

export class KnnScratch {
  readonly acc: Float64Array;
  readonly touched: Int32Array;
  heapSim: Float64Array;
  heapIdx: Int32Array;
  constructor(nMovies: number, K: number) {
    this.acc = new Float64Array(2 * nMovies);
    this.touched = new Int32Array(nMovies);
    this.heapSim = new Float64Array(K);
    this.heapIdx = new Int32Array(K);
  }
}

/** true when (s1, j1) ranks below (s2, j2): lower similarity, or equal and larger index. */
function worse(s1: number, j1: number, s2: number, j2: number): boolean {
  return s1 < s2 || (s1 === s2 && j1 > j2);
}

/** Restore the min-heap (worst at the root) after placing (sv, jv) at the root. */
function siftDown(hs: Float64Array, hi: Int32Array, size: number, sv: number, jv: number): void {
  let k = 0;
  for (;;) {
    const l = 2 * k + 1;
    if (l >= size) break;
    const r = l + 1;
    const c = r < size && worse(hs[r], hi[r], hs[l], hi[l]) ? r : l;
    if (!worse(hs[c], hi[c], sv, jv)) break;
    hs[k] = hs[c];
    hi[k] = hi[c];
    k = c;
  }
  hs[k] = sv;
  hi[k] = jv;
}

export function knnRange(
  prm: KnnParams,
  buf: KnnBuffers,
  from: number,
  to: number,
  s: KnnScratch,
): void {
  const { byMovie, byUser } = buf;
  const { acc, touched, heapSim, heapIdx } = s;
  const K = prm.K;
  const uPtr = byUser.ptr;
  const uIdx = byUser.idx;
  const uVal = byUser.val;
  for (let i = from; i < to; i++) {
    let nt = 0;
    for (let p = byMovie.ptr[i]; p < byMovie.ptr[i + 1]; p++) {
      const u = byMovie.idx[p];
      const xi = byMovie.val[p];
      const end = uPtr[u + 1];
      for (let q = uPtr[u]; q < end; q++) {
        const j2 = uIdx[q] << 1;
        const c = acc[j2 + 1];
        if (c === 0) touched[nt++] = j2;
        acc[j2 + 1] = c + 1;
        acc[j2] += xi * uVal[q];
      }
    }
    // every rater also rated i itself, so i is among the touched: it is skipped below
    let h = 0;
    for (let t = 0; t < nt; t++) {
      const j2 = touched[t];
      const j = j2 >> 1;
      const c = acc[j2 + 1];
      const sim = j !== i && c >= prm.minSupport ? acc[j2] * (c / (c + prm.shrinkage)) : 0;
      acc[j2] = 0;
      acc[j2 + 1] = 0;
      if (!(sim > 0)) continue;
      if (h < K) {
        let k = h++;
        while (k > 0) {
          const parent = (k - 1) >> 1;
          if (!worse(sim, j, heapSim[parent], heapIdx[parent])) break;
          heapSim[k] = heapSim[parent];
          heapIdx[k] = heapIdx[parent];
          k = parent;
        }
        heapSim[k] = sim;
        heapIdx[k] = j;
      } else if (worse(heapSim[0], heapIdx[0], sim, j)) {
        siftDown(heapSim, heapIdx, h, sim, j);
      }
    }
    // pop worst-first into the output from the back, giving best-first order
    const o = i * K;
    buf.count[i] = h;
    for (let n = h; n > 0; n--) {
      buf.nbr[o + n - 1] = heapIdx[0];
      buf.sim[o + n - 1] = heapSim[0];
      siftDown(heapSim, heapIdx, n - 1, heapSim[n - 1], heapIdx[n - 1]);
    }
  }
}
