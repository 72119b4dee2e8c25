/**
 * Regularised logistic regression fitted by damped (proximal) Newton on standardised features.
 *
 * Minimises  F(b0, b) = sum_i w_i * logloss(y_i, sigmoid(b0 + z_i . b))
 *                       + (1 / C) * ((1 - rho) |b|^2 / 2 + rho |b|_1)
 * (the intercept b0 is not penalised): scikit-learn's LogisticRegression objective divided by C,
 * so the same minimiser — penalty "l2" is rho = 0, "l1" rho = 1, "elasticnet" rho = l1_ratio.
 * Each iteration is two passes over the rows: the (p+1) x (p+1) Hessian of the smooth part
 * (standardised rows written block-wise, the d^2/2 multiply-adds per row in the WebAssembly SIMD
 * kernel of gram-accumulator.ts), and the line search's objective, which returns the gradient at
 * the same point in the same pass, so the accepted point's gradient (the next convergence test)
 * costs nothing extra and a converged fit never builds a Hessian it will not use.
 * Without L1 the Newton step is a Cholesky solve; with L1 it is the minimiser of the quadratic
 * model plus the L1 term, found by cyclic coordinate descent with soft-thresholding on the
 * small (p+1)-dimensional model (the proximal Newton / newGLMNET scheme). Either way the step is
 * backtracked until F decreases (Armijo), so it converges even on separable data. Rows are
 * standardised on the fly, never copied: on ml-20m the table is gigabytes.
 *
 * On large tables the Hessian is estimated from an evenly spaced subset of HESSIAN_ROWS rows
 * (scaled to the full weight): building it costs p^2/2 per row against p for the gradient, so on
 * ml-20m's 14M training rows the exact Hessian would cost minutes per iteration. The gradient,
 * the objective and the stopping test stay exact, so the minimiser is the same; an approximate
 * (still positive definite) Hessian only changes the path, at most adding an iteration or two.
 *
 *   parameter vector theta = [ b_1 ... b_p | b0 ]      Hessian H (p+1)^2, row-major
 */
import { choleskyInPlace, choleskySolveInPlace } from "./cholesky.js";
import { GramAccumulator } from "./gram-accumulator.js";
import type { Standardizer } from "./standardizer.js";

/** Rows that build the Hessian; tables up to this size get the exact Newton step. */
export const HESSIAN_ROWS = 200_000;

export interface NewtonOptions {
  C: number;
  tol: number;
  maxIter: number;
  /** Per-class weights [w(y=0), w(y=1)]. */
  classWeight: [number, number];
  /** Rows that build the Hessian (default HESSIAN_ROWS). */
  hessianRows?: number;
  /** Share of the penalty that is L1 (0 = pure L2, 1 = pure L1); default 0. */
  l1Ratio?: number;
  /** false forces the JS Hessian kernel (tests; the sums are bit-identical to the wasm one). */
  wasm?: boolean;
}

export interface NewtonResult {
  coef: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  /** Final max |gradient| (with L1: the minimum-norm subgradient) / total sample weight. */
  gradNorm: number;
  objective: number;
}

/** log(1 + exp(t)) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** The subgradient of g + l1 |t| closest to 0 (0 when t = 0 and |g| <= l1). */
function minNormSubgrad(g: number, t: number, l1: number): number {
  if (t > 0) return g + l1;
  if (t < 0) return g - l1;
  return Math.sign(g) * Math.max(0, Math.abs(g) - l1);
}

/**
 * step = argmin_s  grad . s + s^T H s / 2 + l1 |theta_1..p + s_1..p|_1  by cyclic coordinate
 * descent (H symmetric d x d, the intercept at index p unpenalised). The model is a small
 * strictly convex quadratic, so sweeps until the largest coordinate change is tiny.
 */
function proximalNewtonStep(
  H: Float64Array,
  grad: Float64Array,
  theta: Float64Array,
  l1: number,
  p: number,
  step: Float64Array,
): void {
  const d = p + 1;
  step.fill(0);
  // hs = H step, kept up to date as coordinates move
  const hs = new Float64Array(d);
  for (let sweep = 0; sweep < 1000; sweep++) {
    let maxChange = 0;
    let maxAbs = 0;
    for (let a = 0; a < d; a++) {
      const haa = H[a * d + a];
      if (!(haa > 0)) continue;
      // derivative of the smooth model in coordinate a, without a's own diagonal term
      const ga = grad[a] + hs[a] - haa * step[a];
      let next: number;
      if (a === p) {
        next = -ga / haa;
      } else {
        // minimise ga s + haa s^2 / 2 + l1 |theta_a + s| over s: soft-threshold in w = theta_a + s
        const u = haa * theta[a] - ga;
        const w = (Math.sign(u) * Math.max(0, Math.abs(u) - l1)) / haa;
        next = w - theta[a];
      }
      const delta = next - step[a];
      if (delta !== 0) {
        step[a] = next;
        for (let b = 0; b < d; b++) hs[b] += H[b * d + a] * delta;
        maxChange = Math.max(maxChange, Math.abs(delta));
      }
      maxAbs = Math.max(maxAbs, Math.abs(theta[a] + step[a]));
    }
    if (maxChange <= 1e-12 * Math.max(1, maxAbs)) break;
  }
}

/**
 * The objective's data part at (b0, b) and its gradient: returns sum_i w_i logloss_i and writes
 * into g (length p + 1) sum_i e_i (x_i - mean) for the features (NaN adds nothing: imputed with
 * the mean) and sum_i e_i for the intercept, with e_i = w_i (sigmoid(s_i) - y_i). The caller
 * passes u = b / scale (so s_i = b0 + sum_c u_c (x_ic - mean_c)) and multiplies the feature
 * gradient by 1 / scale afterwards: no standardised copy of a row is ever written.
 * A top-level function of plain arguments: V8 keeps them in registers, where the same loops in a
 * closure reloaded every captured array per element (~2x slower).
 */
function rowPass(
  values: Float32Array,
  labels: Uint8Array,
  rows: number,
  p: number,
  mean: Float64Array,
  u: Float64Array,
  b0: number,
  cw0: number,
  cw1: number,
  g: Float64Array,
): number {
  g.fill(0);
  let f = 0;
  let gi = 0;
  // at the start (b = 0) every margin is b0: skip the dot products (the sums would add exact zeros)
  let zeroB = true;
  for (let c = 0; c < p; c++) if (u[c] !== 0) zeroB = false;
  for (let r = 0; r < rows; r++) {
    const o = r * p;
    let s = b0;
    if (!zeroB) {
      for (let c = 0; c < p; c++) {
        const v = values[o + c];
        if (!Number.isNaN(v)) s += u[c] * (v - mean[c]);
      }
    }
    const y = labels[r];
    const w = y ? cw1 : cw0;
    // logloss = softplus(s) - y s;  d/ds = sigmoid(s) - y
    f += w * (softplus(s) - (y ? s : 0));
    const e = w * (1 / (1 + Math.exp(-s)) - y);
    if (e !== 0) {
      for (let c = 0; c < p; c++) {
        const v = values[o + c];
        if (!Number.isNaN(v)) g[c] += e * (v - mean[c]);
      }
    }
    gi += e;
  }
  g[p] = gi;
  return f;
}

interface HessianRows {
  values: Float32Array;
  labels: Uint8Array;
  rows: number;
  p: number;
  mean: Float64Array;
  inv: Float64Array;
  hStride: number;
  hScale: number;
  cw0: number;
  cw1: number;
}

/** Every hStride-th row, standardised and weighted by h_i, into the Gram accumulator's blocks. */
function hessianRows(o: HessianRows, t: Float64Array, gram: GramAccumulator): void {
  const { values, labels, rows, p, mean, inv, hStride, hScale, cw0, cw1 } = o;
  const B = gram.block;
  const zb = gram.z;
  const hb = gram.h;
  const b0 = t[p];
  let i = 0;
  for (let r = 0; r < rows; r += hStride) {
    const off = r * p;
    let s = b0;
    for (let c = 0, k = i; c < p; c++, k += B) {
      const v = values[off + c];
      const zc = !Number.isNaN(v) ? (v - mean[c]) * inv[c] : 0;
      zb[k] = zc;
      s += t[c] * zc;
    }
    const mu = 1 / (1 + Math.exp(-s));
    hb[i] = hScale * (labels[r] ? cw1 : cw0) * mu * (1 - mu);
    zb[p * B + i] = 1;
    if (++i === B) {
      gram.flush(B);
      i = 0;
    }
  }
  if (i > 0) gram.flush(i);
}

export function fitNewtonLogistic(
  values: Float32Array,
  labels: Uint8Array,
  rows: number,
  cols: number,
  std: Standardizer,
  opt: NewtonOptions,
): NewtonResult {
  const p = cols;
  const d = p + 1;
  const theta = new Float64Array(d);
  const u = new Float64Array(p);
  const grad = new Float64Array(d);
  const gradTrial = new Float64Array(d);
  const hess = new Float64Array(d * d);
  const step = new Float64Array(d);
  const trial = new Float64Array(d);
  const rho = opt.l1Ratio ?? 0;
  const l2 = (1 - rho) / opt.C;
  const l1 = rho / opt.C;
  const qd = new Float64Array(d * d);
  const mean = std.mean;
  // multiply by 1 / scale in the row loops (a division per value cost more than the dot product)
  const inv = new Float64Array(p);
  for (let c = 0; c < p; c++) inv[c] = 1 / std.scale[c];
  const cw0 = opt.classWeight[0];
  const cw1 = opt.classWeight[1];
  let totalW = 0;
  let pos = 0;
  for (let r = 0; r < rows; r++) {
    const w = labels[r] ? cw1 : cw0;
    totalW += w;
    if (labels[r]) pos += w;
  }
  // start the intercept at the weighted log-odds: one Newton step saved, and exact when p = 0
  if (pos > 0 && pos < totalW) theta[p] = Math.log(pos / (totalW - pos));

  const objectiveAndGradient = (t: Float64Array, g: Float64Array): number => {
    for (let c = 0; c < p; c++) u[c] = t[c] * inv[c];
    const f = rowPass(values, labels, rows, p, mean, u, t[p], cw0, cw1, g);
    let pen2 = 0;
    let pen1 = 0;
    for (let c = 0; c < p; c++) {
      g[c] = g[c] * inv[c] + l2 * t[c];
      pen2 += t[c] * t[c];
      pen1 += Math.abs(t[c]);
    }
    return f + 0.5 * l2 * pen2 + l1 * pen1;
  };

  // every hStride-th row builds the Hessian, its sums scaled by hScale to the full weight
  const hStride = Math.max(1, Math.ceil(rows / (opt.hessianRows ?? HESSIAN_ROWS)));
  let hW = 0;
  for (let r = 0; r < rows; r += hStride) hW += labels[r] ? cw1 : cw0;
  const hScale = hW > 0 ? totalW / hW : 1;
  const gram = new GramAccumulator(d, { wasm: opt.wasm });

  /** The Hessian of the smooth part at t (lower and upper triangle) into hess. */
  const hessian = (t: Float64Array): void => {
    gram.reset();
    const ctx: HessianRows = { values, labels, rows, p, mean, inv, hStride, hScale, cw0, cw1 };
    hessianRows(ctx, t, gram);
    gram.result(hess);
    for (let a = 0; a < p; a++) hess[a * d + a] += l2;
  };

  let fCur = objectiveAndGradient(theta, grad);
  let iterations = 0;
  let converged = false;
  let gradNorm = Number.POSITIVE_INFINITY;
  while (true) {
    gradNorm = 0;
    for (let a = 0; a < d; a++) {
      gradNorm = Math.max(
        gradNorm,
        Math.abs(l1 > 0 && a < p ? minNormSubgrad(grad[a], theta[a], l1) : grad[a]),
      );
    }
    gradNorm /= totalW;
    if (gradNorm <= opt.tol) {
      converged = true;
      break;
    }
    if (iterations >= opt.maxIter) break;
    iterations++;
    hessian(theta);
    let slope = 0;
    if (l1 > 0) {
      qd.set(hess);
      proximalNewtonStep(qd, grad, theta, l1, p, step);
      // Armijo's predicted decrease for the composite objective (Tseng & Yun)
      for (let a = 0; a < d; a++) slope += grad[a] * step[a];
      for (let a = 0; a < p; a++) slope += l1 * (Math.abs(theta[a] + step[a]) - Math.abs(theta[a]));
    } else {
      for (let a = 0; a < d; a++) step[a] = -grad[a];
      if (!choleskyInPlace(hess, d)) {
        // singular Hessian (e.g. C huge on separable data): fall back to a gradient step
        for (let a = 0; a < d; a++) step[a] = -grad[a] / totalW;
      } else {
        choleskySolveInPlace(hess, d, step);
      }
      for (let a = 0; a < d; a++) slope += grad[a] * step[a];
    }
    if (-slope <= 1e-13 * Math.max(1, Math.abs(fCur))) {
      // the predicted decrease is below the objective's rounding: stationary to machine precision
      converged = true;
      break;
    }
    let alpha = 1;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let a = 0; a < d; a++) trial[a] = theta[a] + alpha * step[a];
      const fTrial = objectiveAndGradient(trial, gradTrial);
      if (fTrial <= fCur + 1e-4 * alpha * slope) {
        theta.set(trial);
        grad.set(gradTrial);
        fCur = fTrial;
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {
      // no decrease possible at double precision: we are at the optimum up to rounding
      converged = gradNorm <= Math.sqrt(opt.tol);
      break;
    }
  }
  return {
    coef: theta.slice(0, p),
    intercept: theta[p],
    iterations,
    converged,
    gradNorm,
    objective: fCur,
  };
}
