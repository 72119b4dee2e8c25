/** Squared error (ratings, and the forest's leaf means): g = raw - y, h = 1, base = label mean. */
import type { Objective } from "./objective.js";

export const squaredError: Objective = {
  name: "squared",
  baseScore(labels: Float32Array, n: number): number {
    let s = 0;
    for (let i = 0; i < n; i++) s += labels[i];
    return n > 0 ? s / n : 0;
  },
  gradients(raw, labels, gh, n, weights): void {
    for (let r = 0; r < n; r++) {
      const w = weights ? weights[r] : 1;
      gh[2 * r] = (raw[r] - labels[r]) * w;
      gh[2 * r + 1] = w;
    }
  },
  loss(raw, labels, n): number {
    let s = 0;
    for (let r = 0; r < n; r++) {
      const d = raw[r] - labels[r];
      s += d * d;
    }
    return s / Math.max(n, 1);
  },
  transform(raw: number): number {
    return raw;
  },
};
