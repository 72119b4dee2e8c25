/**
 * A small seeded classification table for tests and examples: `cols` features (the first few
 * informative, with interactions; the rest noise; one column 10% NaN) and 0/1 labels drawn from
 * a logistic model. Not MovieLens: the engine is checked on data whose truth is known.
 */
import { Rng } from "../../core/index.js";
import type { TreeTable } from "./tree-table.js";

export function syntheticTable(
  rows: number,
  cols: number,
  seed: number,
): TreeTable & { labels: Uint8Array } {
  const rng = new Rng(seed);
  const values = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let f = 0; f < cols; f++) values[o + f] = rng.normal();
    if (cols > 3 && rng.next() < 0.1) values[o + 3] = Number.NaN;
    const x = (f: number): number => (f < cols ? values[o + f] : 0);
    const x3 = x(3);
    const logit =
      1.5 * x(0) * x(1) +
      Math.sin(2 * x(2)) +
      (Number.isNaN(x3) ? 1 : 0.5 * x3) -
      0.5 * Math.abs(x(4));
    labels[r] = rng.next() < 1 / (1 + Math.exp(-2 * logit)) ? 1 : 0;
  }
  return { values, rows, cols, labels };
}

/** Rank-based ROC AUC (ties averaged). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  return pos === 0 || neg === 0 ? Number.NaN : (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
