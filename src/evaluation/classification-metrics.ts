/**
 * Every classification metric of EVALUATION.md for one set of rows, in one record: threshold
 * metrics at 0.5 and at a given tuned threshold (the validation-best-F1 one), ROC AUC, PR AUC,
 * log loss, Brier score, the reliability table and the like rate.
 */
import { averagePrecision } from "./average-precision.js";
import { brierScore, logLoss } from "./probability-scores.js";
import {
  expectedCalibrationError,
  type ReliabilityBin,
  reliabilityTable,
} from "./reliability-table.js";
import { type Labels, rocAuc, type Scores } from "./roc-auc.js";
import { type ThresholdMetrics, thresholdMetrics } from "./threshold-metrics.js";

export interface ClassificationMetrics {
  rows: number;
  likeRate: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  ece: number;
  /** Decisions at p >= 0.5. */
  at05: ThresholdMetrics;
  /** Decisions at the tuned threshold (chosen on validation). */
  atTuned: ThresholdMetrics;
  reliability: ReliabilityBin[];
}

export function classificationMetrics(
  probs: Scores,
  labels: Labels,
  tunedThreshold: number,
): ClassificationMetrics {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) pos++;
  const reliability = reliabilityTable(probs, labels);
  return {
    rows: probs.length,
    likeRate: probs.length > 0 ? pos / probs.length : Number.NaN,
    rocAuc: rocAuc(probs, labels),
    prAuc: averagePrecision(probs, labels),
    logLoss: logLoss(probs, labels),
    brier: brierScore(probs, labels),
    ece: expectedCalibrationError(reliability),
    at05: thresholdMetrics(probs, labels, 0.5),
    atTuned: thresholdMetrics(probs, labels, tunedThreshold),
    reliability,
  };
}
