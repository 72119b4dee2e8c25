/**
 * Column standardisation for the linear model: z = (x - mean) / std with the population std
 * (ddof = 0, as scikit-learn's StandardScaler), std 1 for constant columns, and missing values
 * (NaN) imputed with the training mean, i.e. z = 0, so that a missing feature adds nothing to
 * the logit.
 */
export interface Standardizer {
  mean: Float64Array;
  scale: Float64Array;
}

/** Mean and population std per column of a row-major table, ignoring NaNs. */
export function fitStandardizer(values: Float32Array, rows: number, cols: number): Standardizer {
  const mean = new Float64Array(cols);
  const count = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[o + c];
      if (!Number.isNaN(v)) {
        mean[c] += v;
        count[c]++;
      }
    }
  }
  for (let c = 0; c < cols; c++) mean[c] = count[c] > 0 ? mean[c] / count[c] : 0;
  // second pass for the variance: numerically safer than sum of squares on large raw values
  const m2 = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[o + c];
      if (!Number.isNaN(v)) {
        const d = v - mean[c];
        m2[c] += d * d;
      }
    }
  }
  const scale = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    const sd = count[c] > 0 ? Math.sqrt(m2[c] / count[c]) : 0;
    scale[c] = sd > 1e-12 * Math.max(1, Math.abs(mean[c])) ? sd : 1;
  }
  return { mean, scale };
}

/** Standardise one value of column c (NaN -> 0). */
export function standardize(s: Standardizer, c: number, v: number): number {
  return !Number.isNaN(v) ? (v - s.mean[c]) / s.scale[c] : 0;
}
