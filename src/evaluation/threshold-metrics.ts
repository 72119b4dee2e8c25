/**
 * Metrics of hard decisions at a threshold (predict "like" when p >= threshold): the confusion
 * matrix, accuracy, precision, recall and F1. Precision of an empty positive set and F1 with
 * no true positives are 0 (scikit-learn's zero_division=0), not NaN, so tables stay numeric.
 */
import type { Labels, Scores } from "./roc-auc.js";

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ThresholdMetrics {
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: Confusion;
}

export function confusionAt(probs: Scores, labels: Labels, threshold: number): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < probs.length; i++) {
    const yhat = probs[i] >= threshold;
    if (labels[i]) {
      if (yhat) c.tp++;
      else c.fn++;
    } else if (yhat) c.fp++;
    else c.tn++;
  }
  return c;
}

export function metricsFromConfusion(c: Confusion, threshold: number): ThresholdMetrics {
  const n = c.tp + c.fp + c.tn + c.fn;
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
  const f1 = c.tp > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    threshold,
    accuracy: n > 0 ? (c.tp + c.tn) / n : Number.NaN,
    precision,
    recall,
    f1,
    confusion: c,
  };
}

export function thresholdMetrics(
  probs: Scores,
  labels: Labels,
  threshold: number,
): ThresholdMetrics {
  return metricsFromConfusion(confusionAt(probs, labels, threshold), threshold);
}
