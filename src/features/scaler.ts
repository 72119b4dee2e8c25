/**
 * Standardisation of numeric columns with mean/std fitted on training rows (binary columns are
 * left as 0/1: mean 0, std 1). Part of the FeatureSpec, so serving scales exactly like training.
 */
import type { FeatureKind } from "./feature-spec.js";

export interface Scaler {
  mean: number[];
  std: number[];
}

export function fitScaler(
  values: Float32Array,
  rows: number,
  cols: number,
  kinds: readonly FeatureKind[],
): Scaler {
  const sum = new Float64Array(cols);
  const sum2 = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const x = values[o + c];
      sum[c] += x;
      sum2[c] += x * x;
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < cols; c++) {
    if (kinds[c] === "binary" || rows === 0) {
      mean.push(0);
      std.push(1);
      continue;
    }
    const m = sum[c] / rows;
    const sd = Math.sqrt(Math.max(0, sum2[c] / rows - m * m));
    mean.push(m);
    // A constant column stays constant (0) instead of dividing by zero.
    std.push(sd > 1e-12 ? sd : 1);
  }
  return { mean, std };
}

/** Scale rows in place. */
export function applyScaler(values: Float32Array, rows: number, cols: number, s: Scaler): void {
  const mean = Float64Array.from(s.mean);
  const inv = Float64Array.from(s.std, (x) => 1 / x);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) values[o + c] = (values[o + c] - mean[c]) * inv[c];
  }
}
