/**
 * Proper scoring rules for probabilities: log loss (probabilities clipped to
 * [1e-15, 1 - 1e-15] so one confident mistake costs ~34.5 instead of infinity) and the Brier
 * score (mean squared error of the probability).
 */
import type { Labels, Scores } from "./roc-auc.js";

export const LOG_LOSS_EPS = 1e-15;

export function logLoss(probs: Scores, labels: Labels): number {
  const n = probs.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, probs[i]));
    s -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / n;
}

export function brierScore(probs: Scores, labels: Labels): number {
  const n = probs.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = probs[i] - (labels[i] ? 1 : 0);
    s += d * d;
  }
  return s / n;
}
