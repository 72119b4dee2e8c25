/**
 * ROC and precision-recall curve points for plots, one point per distinct threshold, then
 * downsampled to at most `maxPoints` (keeping the first and last) so a report of 3M rows stays
 * small. Points are [x, y]: ROC = [false positive rate, true positive rate], PR = [recall,
 * precision].
 */
import { ascendingOrder, type Labels, type Scores } from "./roc-auc.js";

export type CurvePoint = [number, number];

function sweep(
  scores: Scores,
  labels: Labels,
): { tp: number[]; fp: number[]; pos: number; neg: number } {
  const n = scores.length;
  const order = ascendingOrder(scores);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) pos++;
  const tps: number[] = [0];
  const fps: number[] = [0];
  let tp = 0;
  let fp = 0;
  let i = n - 1;
  while (i >= 0) {
    let j = i - 1;
    while (j >= 0 && scores[order[j]] === scores[order[i]]) j--;
    for (let k = i; k > j; k--) {
      if (labels[order[k]]) tp++;
      else fp++;
    }
    tps.push(tp);
    fps.push(fp);
    i = j;
  }
  return { tp: tps, fp: fps, pos, neg: n - pos };
}

export function downsample(points: CurvePoint[], maxPoints: number): CurvePoint[] {
  if (points.length <= maxPoints || maxPoints < 2) return points;
  const out: CurvePoint[] = [];
  const step = (points.length - 1) / (maxPoints - 1);
  for (let k = 0; k < maxPoints; k++) out.push(points[Math.round(k * step)]);
  return out;
}

export function rocCurve(scores: Scores, labels: Labels, maxPoints = 200): CurvePoint[] {
  const s = sweep(scores, labels);
  if (s.pos === 0 || s.neg === 0) return [];
  const pts: CurvePoint[] = s.tp.map((tp, k) => [s.fp[k] / s.neg, tp / s.pos]);
  return downsample(pts, maxPoints);
}

export function prCurve(scores: Scores, labels: Labels, maxPoints = 200): CurvePoint[] {
  const s = sweep(scores, labels);
  if (s.pos === 0) return [];
  const pts: CurvePoint[] = [];
  for (let k = 1; k < s.tp.length; k++) pts.push([s.tp[k] / s.pos, s.tp[k] / (s.tp[k] + s.fp[k])]);
  // Start the curve at recall 0 with the first point's precision (the usual plotting convention).
  if (pts.length > 0) pts.unshift([0, pts[0][1]]);
  return downsample(pts, maxPoints);
}
