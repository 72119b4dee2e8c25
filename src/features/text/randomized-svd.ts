/**
 * Randomized truncated SVD of a sparse CSR matrix (Halko, Martinsson & Tropp 2011, algorithms
 * 4.4 + 5.1): A ≈ U diag(s) Vᵀ with the top k singular triplets. Seeded, so a seed fixes the
 * result bit for bit. Reused by the models layer for the mean-centred user x movie matrix.
 *
 *   A: rows x cols (CSR)   Ω: cols x l Gaussian, l = k + oversample
 *   Q = orth(A Ω); q times: Q = orth(A orth(Aᵀ Q))            (power iterations)
 *   Bᵀ = Aᵀ Q (cols x l);  B Bᵀ = W Σ² Wᵀ  ->  U = Q W,  V = Bᵀ W Σ⁻¹
 *
 * Every dense matrix is row-major and thin (l columns), so each product is one pass over the
 * nonzeros and each orthonormalisation one pass over the rows (Gram matrix + l x l eigen).
 */
import { rngFor } from "../../core/index.js";
import { type CsrMatrix, csrTimesDense, csrTransposeTimesDense } from "./csr-matrix.js";
import { symmetricEigen } from "./symmetric-eigen.js";

export interface RandomizedSvdOptions {
  /** Extra random directions beyond k (default 10). */
  oversample?: number;
  /** Power iterations (default 4): more = more accurate when singular values decay slowly. */
  powerIterations?: number;
  seed?: number;
}

export interface TruncatedSvd {
  k: number;
  rows: number;
  cols: number;
  /** rows x k, row-major, orthonormal columns. */
  u: Float64Array;
  /** k singular values, descending (0 beyond the numerical rank). */
  s: Float64Array;
  /** cols x k, row-major, orthonormal columns (right singular vectors). */
  v: Float64Array;
}

/** GᵀG of a row-major n x l matrix (l x l). */
function gram(y: Float64Array, n: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let r = 0; r < n; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const yi = y[o + i];
      if (yi === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) g[gi + j] += yi * y[o + j];
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) g[i * l + j] = g[j * l + i];
  return g;
}

/** Y M for row-major Y (n x l) and M (l x m). */
function timesSmall(
  y: Float64Array,
  n: number,
  l: number,
  m: Float64Array,
  mc: number,
): Float64Array {
  const out = new Float64Array(n * mc);
  for (let r = 0; r < n; r++) {
    const yo = r * l;
    const oo = r * mc;
    for (let i = 0; i < l; i++) {
      const yi = y[yo + i];
      if (yi === 0) continue;
      const mo = i * mc;
      for (let j = 0; j < mc; j++) out[oo + j] += yi * m[mo + j];
    }
  }
  return out;
}

/**
 * Orthonormal basis of the column space of Y (n x l): Q = Y W Λ^{-1/2} from the eigenpairs of
 * YᵀY, twice (the second pass repairs the orthogonality lost to squaring the condition
 * number; the power iterations skip it, since they only need a well-conditioned basis, and
 * the last one repairs it). Directions with negligible energy are dropped, so the result may
 * have fewer columns.
 */
export function orthonormalize(
  y: Float64Array,
  n: number,
  l: number,
  passes = 2,
): { q: Float64Array; cols: number } {
  let q = y;
  let cols = l;
  for (let pass = 0; pass < passes; pass++) {
    const { values, vectors } = symmetricEigen(gram(q, n, cols), cols);
    const top = values[0];
    let keep = 0;
    while (keep < cols && values[keep] > 1e-13 * top && values[keep] > 1e-300) keep++;
    const m = new Float64Array(cols * keep);
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < keep; j++) m[i * keep + j] = vectors[i * cols + j] / Math.sqrt(values[j]);
    }
    q = timesSmall(q, n, cols, m, keep);
    cols = keep;
  }
  return { q, cols };
}

export function randomizedSvd(
  a: CsrMatrix,
  k: number,
  options: RandomizedSvdOptions = {},
): TruncatedSvd {
  const oversample = options.oversample ?? 10;
  const power = options.powerIterations ?? 4;
  const rng = rngFor(options.seed ?? 0, 7);
  const l0 = Math.max(1, Math.min(k + oversample, a.rows, a.cols));
  const omega = new Float64Array(a.cols * l0);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  let { q, cols: l } = orthonormalize(csrTimesDense(a, omega, l0), a.rows, l0, power > 0 ? 1 : 2);
  for (let it = 0; it < power && l > 0; it++) {
    const z = orthonormalize(csrTransposeTimesDense(a, q, l), a.cols, l, 1);
    ({ q, cols: l } = orthonormalize(
      csrTimesDense(a, z.q, z.cols),
      a.rows,
      z.cols,
      it === power - 1 ? 2 : 1,
    ));
  }
  const u = new Float64Array(a.rows * k);
  const s = new Float64Array(k);
  const v = new Float64Array(a.cols * k);
  if (l === 0) return { k, rows: a.rows, cols: a.cols, u, s, v };
  const bt = csrTransposeTimesDense(a, q, l);
  const { values, vectors } = symmetricEigen(gram(bt, a.cols, l), l);
  const kk = Math.min(k, l);
  const w = new Float64Array(l * kk);
  for (let i = 0; i < l; i++) for (let j = 0; j < kk; j++) w[i * kk + j] = vectors[i * l + j];
  const uq = timesSmall(q, a.rows, l, w, kk);
  const vb = timesSmall(bt, a.cols, l, w, kk);
  for (let j = 0; j < kk; j++) {
    const sj = Math.sqrt(Math.max(values[j], 0));
    // Sign convention (as scikit-learn's svd_flip): the largest |component| of v_j is positive,
    // so equal inputs give equal signs whatever the random start.
    let big = 0;
    for (let c = 0; c < a.cols; c++)
      if (Math.abs(vb[c * kk + j]) > Math.abs(big)) big = vb[c * kk + j];
    const sign = big < 0 ? -1 : 1;
    s[j] = sj;
    if (sj === 0) continue;
    for (let r = 0; r < a.rows; r++) u[r * k + j] = sign * uq[r * kk + j];
    for (let c = 0; c < a.cols; c++) v[c * k + j] = (sign * vb[c * kk + j]) / sj;
  }
  return { k, rows: a.rows, cols: a.cols, u, s, v };
}

/** Coordinates of the rows of X in the SVD's right singular basis: X V (rows x k). */
export function projectRows(x: CsrMatrix, svd: TruncatedSvd): Float64Array {
  return csrTimesDense(x, svd.v, svd.k);
}
