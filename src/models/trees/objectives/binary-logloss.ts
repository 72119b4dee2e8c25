/** Binary log loss on logits: g = p - y, h = p(1 - p), base score = logit of the label mean. */
import type { Objective } from "./objective.js";

/** Hessians are floored here so a saturated row still counts as a (tiny) row. */
const MIN_HESSIAN = 1e-16;

export const binaryLogloss: Objective = {
  name: "binary",
  baseScore(labels: Float32Array, n: number): number {
    let s = 0;
    for (let i = 0; i < n; i++) s += labels[i];
    const m = Math.min(Math.max(s / Math.max(n, 1), 1e-6), 1 - 1e-6);
    return Math.log(m / (1 - m));
  },
  gradients(raw, labels, gh, n, weights): void {
    for (let r = 0; r < n; r++) {
      const p = 1 / (1 + Math.exp(-raw[r]));
      const w = weights ? weights[r] : 1;
      gh[2 * r] = (p - labels[r]) * w;
      gh[2 * r + 1] = Math.max(p * (1 - p), MIN_HESSIAN) * w;
    }
  },
  loss(raw, labels, n): number {
    let s = 0;
    for (let r = 0; r < n; r++) {
      const z = raw[r];
      // log(1 + e^z) - y z, computed without overflow
      const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      s += softplus - labels[r] * z;
    }
    return s / Math.max(n, 1);
  },
  transform(raw: number): number {
    return 1 / (1 + Math.exp(-raw));
  },
};
