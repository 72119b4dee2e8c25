/**
 * PR AUC as average precision: sum over distinct score thresholds (descending) of
 * (recall_n - recall_{n-1}) * precision_n. Tied scores form one threshold, as in scikit-learn's
 * average_precision_score, so the value does not depend on the order of tied rows.
 */
import { ascendingOrder, type Labels, type Scores } from "./roc-auc.js";

export function averagePrecision(scores: Scores, labels: Labels): number {
  const n = scores.length;
  if (labels.length !== n)
    throw new Error(`averagePrecision: ${n} scores but ${labels.length} labels`);
  let totalPos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) totalPos++;
  if (totalPos === 0) return Number.NaN;
  const order = ascendingOrder(scores);
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  let i = n - 1;
  while (i >= 0) {
    let j = i - 1;
    while (j >= 0 && scores[order[j]] === scores[order[i]]) j--;
    for (let k = i; k > j; k--) {
      if (labels[order[k]]) tp++;
      else fp++;
    }
    const recall = tp / totalPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
    i = j;
  }
  return ap;
}
