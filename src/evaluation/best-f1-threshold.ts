/**
 * The threshold that maximises F1 on a set of rows (validation): sweep every distinct score from
 * the top down (predict like when p >= t) and keep the best. Ties in F1 keep the higher
 * threshold. The threshold is chosen on validation and then applied, unchanged, to test.
 */
import { ascendingOrder, type Labels, type Scores } from "./roc-auc.js";

export function bestF1Threshold(probs: Scores, labels: Labels): { threshold: number; f1: number } {
  const n = probs.length;
  let totalPos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) totalPos++;
  if (n === 0 || totalPos === 0) return { threshold: 0.5, f1: 0 };
  const order = ascendingOrder(probs);
  let tp = 0;
  let fp = 0;
  let best = { threshold: 0.5, f1: -1 };
  let i = n - 1;
  while (i >= 0) {
    let j = i - 1;
    while (j >= 0 && probs[order[j]] === probs[order[i]]) j--;
    for (let k = i; k > j; k--) {
      if (labels[order[k]]) tp++;
      else fp++;
    }
    const f1 = (2 * tp) / (2 * tp + fp + (totalPos - tp));
    if (f1 > best.f1) best = { threshold: probs[order[i]], f1 };
    i = j;
  }
  return best;
}
