/**
 * L2-regularised logistic regression fitted by damped Newton (IRLS) on standardised features.
 *
 * Minimises  F(b0, b) = sum_i w_i * logloss(y_i, sigmoid(b0 + z_i . b)) + |b|^2 / (2 C)
 * (the intercept b0 is not penalised), the same minimiser as scikit-learn's LogisticRegression
 * with penalty "l2". Each iteration builds the (p+1) x (p+1) Hessian in one pass over the rows,
 * solves it by Cholesky and backtracks until the objective decreases (Armijo), so it converges
 * even on separable data. Rows are standardised on the fly, never copied: on ml-20m the table is
 * gigabytes.
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
}

export interface NewtonResult {
  coef: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  /** Final max |gradient| divided by the total sample weight. */
  gradNorm: number;
  objective: number;
}

/** log(1 + exp(t)) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
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
  const z = new Float64Array(p);
  const grad = new Float64Array(d);
  const hess = new Float64Array(d * d);
  const step = new Float64Array(d);
  const trial = new Float64Array(d);
  const invC = 1 / opt.C;
  let totalW = 0;
  let pos = 0;
  for (let r = 0; r < rows; r++) {
    const w = opt.classWeight[labels[r]];
    totalW += w;
    if (labels[r]) pos += w;
  }
  // start the intercept at the weighted log-odds: one Newton step saved, and exact when p = 0
  if (pos > 0 && pos < totalW) theta[p] = Math.log(pos / (totalW - pos));

  const rowZ = (r: number): void => {
    const o = r * cols;
    for (let c = 0; c < p; c++) {
      const v = values[o + c];
      z[c] = !Number.isNaN(v) ? (v - std.mean[c]) / std.scale[c] : 0;
    }
  };
  const objective = (t: Float64Array): number => {
    let f = 0;
    for (let r = 0; r < rows; r++) {
      rowZ(r);
      let s = t[p];
      for (let c = 0; c < p; c++) s += t[c] * z[c];
      // logloss = softplus(s) - y s
      f += opt.classWeight[labels[r]] * (softplus(s) - (labels[r] ? s : 0));
    }
    let pen = 0;
    for (let c = 0; c < p; c++) pen += t[c] * t[c];
    return f + 0.5 * invC * pen;
  };

  // every hStride-th row builds the Hessian, its sums scaled by hScale to the full weight
  const hStride = Math.max(1, Math.ceil(rows / (opt.hessianRows ?? HESSIAN_ROWS)));
  let hW = 0;
  for (let r = 0; r < rows; r += hStride) hW += opt.classWeight[labels[r]];
  const hScale = hW > 0 ? totalW / hW : 1;

  let fCur = objective(theta);
  let iterations = 0;
  let converged = false;
  let gradNorm = Number.POSITIVE_INFINITY;
  while (iterations < opt.maxIter) {
    grad.fill(0);
    hess.fill(0);
    for (let r = 0; r < rows; r++) {
      rowZ(r);
      let s = theta[p];
      for (let c = 0; c < p; c++) s += theta[c] * z[c];
      const mu = 1 / (1 + Math.exp(-s));
      const w = opt.classWeight[labels[r]];
      const g = w * (mu - labels[r]);
      for (let a = 0; a < p; a++) grad[a] += g * z[a];
      grad[p] += g;
      if (r % hStride !== 0) continue;
      const h = hScale * w * mu * (1 - mu);
      for (let a = 0; a < p; a++) {
        const hz = h * z[a];
        const ra = a * d;
        for (let b = 0; b <= a; b++) hess[ra + b] += hz * z[b];
        hess[ra + p] += hz;
      }
      hess[p * d + p] += h;
    }
    // mirror the intercept column into the lower triangle and add the ridge term
    for (let a = 0; a < p; a++) {
      hess[p * d + a] = hess[a * d + p];
      grad[a] += invC * theta[a];
      hess[a * d + a] += invC;
    }
    gradNorm = 0;
    for (let a = 0; a < d; a++) gradNorm = Math.max(gradNorm, Math.abs(grad[a]));
    gradNorm /= totalW;
    if (gradNorm <= opt.tol) {
      converged = true;
      break;
    }
    iterations++;
    for (let a = 0; a < d; a++) step[a] = -grad[a];
    if (!choleskyInPlace(hess, d)) {
      // singular Hessian (e.g. C huge on separable data): fall back to a gradient step
      for (let a = 0; a < d; a++) step[a] = -grad[a] / totalW;
    } else {
      choleskySolveInPlace(hess, d, step);
    }
    let slope = 0;
    for (let a = 0; a < d; a++) slope += grad[a] * step[a];
    if (-slope <= 1e-13 * Math.max(1, Math.abs(fCur))) {
      // the predicted decrease is below the objective's rounding: stationary to machine precision
      converged = true;
      break;
    }
    let alpha = 1;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let a = 0; a < d; a++) trial[a] = theta[a] + alpha * step[a];
      const fTrial = objective(trial);
      if (fTrial <= fCur + 1e-4 * alpha * slope) {
        theta.set(trial);
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
