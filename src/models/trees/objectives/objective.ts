/**
 * What an objective gives the tree engine: a base score, and per-row gradients and hessians of
 * the loss at the current raw scores. The grower never sees the loss itself, so adding an
 * objective touches one file.
 */
export interface Objective {
  readonly name: ObjectiveName;
  /** Raw score before any tree (the best constant). */
  baseScore(labels: Float32Array, n: number): number;
  /**
   * (gradient, hessian) of row r into gh[2r], gh[2r+1] for r < n, each times weights[r] when
   * given (bootstrap counts).
   */
  gradients(
    raw: Float64Array,
    labels: Float32Array,
    gh: Float64Array,
    n: number,
    weights?: Float32Array,
  ): void;
  /** Mean loss (early stopping). */
  loss(raw: Float64Array, labels: Float32Array, n: number): number;
  /** Raw score -> prediction (probability for binary). */
  transform(raw: number): number;
}

export type ObjectiveName = "binary" | "squared";
