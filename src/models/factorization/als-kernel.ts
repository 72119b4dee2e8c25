/**
 * One ALS half-step for a range of entities (users or movies): with the other side's factors
 * fixed, each entity's row is the exact (Cholesky) or conjugate-gradient minimiser of its own
 * quadratic. Entities are independent, so any partition over worker threads gives bit-identical
 * factors; CG is warm-started from the current row and every CG step lowers the quadratic, so
 * the objective never rises.
 *
 * Factor rows have width W. Explicit biased MF (prediction = mu + p.q + b_u + b_i) stores
 *
 *   user row: [ p_u (k) | b_u | 1 ]        movie row: [ q_i (k) | 1 | b_i ]
 *
 * so that mu + user_row . movie_row is the prediction. Solving a user, the unknowns are the
 * first k+1 entries (biasPos = k) and the movie's b_i (constPos = k+1) moves into the target;
 * solving a movie, the unknowns are q_i and position k+1 (biasPos = k+1), and b_u (constPos = k)
 * moves into the target. Either way the design row is a = [other's first k entries, 1], d = k+1.
 * Implicit MF (no biases) uses W = d = k and weighted confidences.
 *
 * The entity's n design rows are first gathered into a contiguous Float64 scratch (n x d), so
 * the CG passes stream through memory instead of chasing random factor rows.
 */
import { choleskyInPlace, choleskySolveInPlace } from "../linear/cholesky.js";
import type { SparseRows } from "./sparse-rows.js";

export interface HalfStepParams {
  k: number;
  /** Row width of both factor matrices. */
  W: number;
  /** true: biased explicit MF; false: implicit weighted MF. */
  explicit: boolean;
  /** Global mean (explicit). */
  mu: number;
  biasPos: number;
  constPos: number;
  /** L2 on factor entries; on biases (explicit). */
  regFactor: number;
  regBias: number;
  /** Multiply the regularisation by the entity's rating count (ALS-WR). */
  weightedReg: boolean;
  /** Implicit confidence c = 1 + alpha * r (or 1 + alpha when binary). */
  alpha: number;
  binary: boolean;
  /** 0 = exact Cholesky, n > 0 = n conjugate-gradient steps. */
  cgSteps: number;
  /** 0 = none, 1 = regularisation term only, 2 = data + regularisation term. */
  lossMode: number;
}

export interface HalfStepBuffers {
  /** Ratings of the solving side (rows = entities being solved). */
  rows: SparseRows;
  /** Solving side factors (n x W), updated in place. */
  X: Float64Array;
  /** Fixed side factors. */
  Y: Float64Array;
  /** Implicit only: Y^T Y (k x k) of the fixed side. */
  gram: Float64Array | null;
  /** Per-entity loss terms, written when lossMode > 0. */
  loss: Float64Array;
}

/** Scratch space for one thread; grows as needed. */
export class HalfStepScratch {
  a = new Float64Array(0);
  t = new Float64Array(0);
  w = new Float64Array(0);
  m: Float64Array;
  x: Float64Array;
  r: Float64Array;
  z: Float64Array;
  p: Float64Array;
  q: Float64Array;
  diag: Float64Array;
  dreg: Float64Array;
  constructor(readonly d: number) {
    this.m = new Float64Array(d * d);
    this.x = new Float64Array(d);
    this.r = new Float64Array(d);
    this.z = new Float64Array(d);
    this.p = new Float64Array(d);
    this.q = new Float64Array(d);
    this.diag = new Float64Array(d);
    this.dreg = new Float64Array(d);
  }
  ensure(n: number): void {
    if (this.t.length >= n) return;
    const cap = Math.max(n, this.t.length * 2, 16);
    this.a = new Float64Array(cap * this.d);
    this.t = new Float64Array(cap);
    this.w = new Float64Array(cap);
  }
}

/** a[ao .. ao+d) . x[0 .. d), four accumulators to break the add dependency chain. */
function dot(a: Float64Array, ao: number, x: Float64Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 3 < d; c += 4) {
    s0 += a[ao + c] * x[c];
    s1 += a[ao + c + 1] * x[c + 1];
    s2 += a[ao + c + 2] * x[c + 2];
    s3 += a[ao + c + 3] * x[c + 3];
  }
  for (; c < d; c++) s0 += a[ao + c] * x[c];
  return s0 + s1 + (s2 + s3);
}

/** y[0 .. d) += f * a[ao .. ao+d), unrolled by four. */
function axpy(f: number, a: Float64Array, ao: number, y: Float64Array, d: number): void {
  let c = 0;
  for (; c + 3 < d; c += 4) {
    y[c] += f * a[ao + c];
    y[c + 1] += f * a[ao + c + 1];
    y[c + 2] += f * a[ao + c + 2];
    y[c + 3] += f * a[ao + c + 3];
  }
  for (; c < d; c++) y[c] += f * a[ao + c];
}

/** Solve entities [from, to). */
export function alsHalfStep(
  prm: HalfStepParams,
  buf: HalfStepBuffers,
  from: number,
  to: number,
  s: HalfStepScratch,
): void {
  const { k, W, explicit } = prm;
  const d = explicit ? k + 1 : k;
  const { ptr, idx, val } = buf.rows;
  const X = buf.X;
  const Y = buf.Y;
  const G = buf.gram;
  for (let e = from; e < to; e++) {
    const start = ptr[e];
    const n = ptr[e + 1] - start;
    const xo = e * W;
    if (n === 0) {
      // no ratings: the minimiser is the zero vector (biases 0 = predict from the other side)
      for (let c = 0; c < k; c++) X[xo + c] = 0;
      if (explicit) X[xo + prm.biasPos] = 0;
      if (prm.lossMode) buf.loss[e] = 0;
      continue;
    }
    s.ensure(n);
    const a = s.a;
    const t = s.t;
    const w = s.w;
    const x = s.x;
    const dreg = s.dreg;
    for (let c = 0; c < k; c++) x[c] = X[xo + c];
    if (explicit) x[k] = X[xo + prm.biasPos];
    // gather design rows, targets and weights; for CG also accumulate, while each row is in
    // cache, diag(sum w a a^T) (the preconditioner) and the data part of the residual
    // r = sum (t - w a.x) a (explicit: w = 1), which saves CG a pass over the scratch
    const diag = s.diag;
    const res = s.r;
    const cg = prm.cgSteps > 0;
    diag.fill(0);
    res.fill(0);
    for (let j = 0; j < n; j++) {
      const yo = idx[start + j] * W;
      const ao = j * d;
      const r = val[start + j];
      let wj = 1;
      let tj: number;
      if (explicit) {
        a[ao + k] = 1;
        tj = r - prm.mu - Y[yo + prm.constPos];
      } else {
        wj = prm.binary ? prm.alpha : prm.alpha * r;
        tj = 1 + wj; // b = sum c_j a_j
      }
      t[j] = tj;
      w[j] = wj;
      for (let c = 0; c < k; c++) {
        const v = Y[yo + c];
        a[ao + c] = v;
        diag[c] += wj * v * v;
      }
      if (explicit) diag[k] += 1;
      if (cg) {
        const sj = dot(a, ao, x, d);
        axpy(explicit ? tj - sj : tj - wj * sj, a, ao, res, d);
      }
    }
    const scale = prm.weightedReg ? n : 1;
    for (let c = 0; c < k; c++) dreg[c] = prm.regFactor * scale;
    if (explicit) dreg[k] = prm.regBias * scale;

    if (prm.cgSteps === 0) solveCholesky(prm, s, n, d, G);
    else solveCg(prm, s, n, d, G);

    for (let c = 0; c < k; c++) X[xo + c] = x[c];
    if (explicit) X[xo + prm.biasPos] = x[k];

    if (prm.lossMode) {
      let reg = 0;
      for (let c = 0; c < d; c++) reg += dreg[c] * x[c] * x[c];
      let data = 0;
      if (prm.lossMode === 2) {
        for (let j = 0; j < n; j++) {
          const ao = j * d;
          const sj = dot(a, ao, x, d);
          if (explicit) {
            const res = t[j] - sj;
            data += res * res;
          } else {
            // sum over rated items of c (1 - s)^2 - s^2; the unrated part is x^T G x below
            const res = 1 - sj;
            data += (1 + w[j]) * res * res - sj * sj;
          }
        }
        if (!explicit && G) {
          for (let i = 0; i < d; i++) {
            let gi = 0;
            for (let c = 0; c < d; c++) gi += G[i * d + c] * x[c];
            data += x[i] * gi;
          }
        }
      }
      buf.loss[e] = data + reg;
    }
  }
}

/** Normal equations (lower triangle) and Cholesky; the result replaces s.x. */
function solveCholesky(
  prm: HalfStepParams,
  s: HalfStepScratch,
  n: number,
  d: number,
  G: Float64Array | null,
): void {
  const { a, t, w, m, x, dreg } = s;
  if (!prm.explicit && G) m.set(G);
  else m.fill(0);
  x.fill(0);
  for (let j = 0; j < n; j++) {
    const ao = j * d;
    const wj = w[j];
    const tj = t[j];
    for (let i = 0; i < d; i++) {
      const ai = a[ao + i];
      const wai = wj * ai;
      x[i] += tj * ai;
      const ro = i * d;
      for (let c = 0; c <= i; c++) m[ro + c] += wai * a[ao + c];
    }
  }
  for (let i = 0; i < d; i++) m[i * d + i] += dreg[i];
  if (!choleskyInPlace(m, d)) {
    // only possible with zero regularisation and rank-deficient data: keep the old row
    return;
  }
  choleskySolveInPlace(m, d, x);
}

/** Jacobi-preconditioned CG warm-started at s.x; the result replaces s.x. */
function solveCg(
  prm: HalfStepParams,
  s: HalfStepScratch,
  n: number,
  d: number,
  G: Float64Array | null,
): void {
  const { a, w, x, r, z, p, q, diag, dreg } = s;
  const explicit = prm.explicit;
  // r = b - A x: the data part was accumulated during the gather; diag(A) likewise
  for (let c = 0; c < d; c++) {
    r[c] -= dreg[c] * x[c];
    diag[c] += dreg[c];
  }
  if (!explicit && G) {
    for (let i = 0; i < d; i++) {
      let gi = 0;
      const ro = i * d;
      for (let c = 0; c < d; c++) gi += G[ro + c] * x[c];
      r[i] -= gi;
      diag[i] += G[ro + i];
    }
  }
  let rz = 0;
  for (let c = 0; c < d; c++) {
    z[c] = r[c] / diag[c];
    p[c] = z[c];
    rz += r[c] * z[c];
  }
  for (let step = 0; step < prm.cgSteps; step++) {
    if (!(rz > 1e-30)) break;
    // q = A p
    for (let c = 0; c < d; c++) q[c] = dreg[c] * p[c];
    for (let j = 0; j < n; j++) {
      const ao = j * d;
      axpy(w[j] * dot(a, ao, p, d), a, ao, q, d);
    }
    if (!explicit && G) {
      for (let i = 0; i < d; i++) {
        let gi = 0;
        const ro = i * d;
        for (let c = 0; c < d; c++) gi += G[ro + c] * p[c];
        q[i] += gi;
      }
    }
    let pq = 0;
    for (let c = 0; c < d; c++) pq += p[c] * q[c];
    if (!(pq > 0)) break;
    const alpha = rz / pq;
    let rzNew = 0;
    for (let c = 0; c < d; c++) {
      x[c] += alpha * p[c];
      r[c] -= alpha * q[c];
      z[c] = r[c] / diag[c];
      rzNew += r[c] * z[c];
    }
    const beta = rzNew / rz;
    rz = rzNew;
    for (let c = 0; c < d; c++) p[c] = z[c] + beta * p[c];
  }
}
