/**
 * Calibration: a 10-bin reliability table. Bin b holds rows with p in [b/10, (b+1)/10) (the last
 * bin includes 1). Per bin: row count, mean predicted probability and observed like rate; empty
 * bins report NaN means. Expected calibration error (ECE) is the count-weighted mean gap.
 */
import type { Labels, Scores } from "./roc-auc.js";

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

export function reliabilityTable(probs: Scores, labels: Labels, bins = 10): ReliabilityBin[] {
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]++;
    sumP[b] += p;
    if (labels[i]) sumY[b]++;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    out.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      count: count[b],
      meanPredicted: count[b] > 0 ? sumP[b] / count[b] : Number.NaN,
      observedRate: count[b] > 0 ? sumY[b] / count[b] : Number.NaN,
    });
  }
  return out;
}

export function expectedCalibrationError(table: readonly ReliabilityBin[]): number {
  let n = 0;
  let s = 0;
  for (const b of table) {
    if (b.count === 0) continue;
    n += b.count;
    s += b.count * Math.abs(b.meanPredicted - b.observedRate);
  }
  return n > 0 ? s / n : Number.NaN;
}
