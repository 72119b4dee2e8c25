/**
 * The "lr" like-model family: regularised logistic regression on standardised features (L2 by
 * default; L1 or elastic net with `penalty`), fitted to convergence by damped Newton/IRLS
 * (proximal Newton with an L1 part; newton-logistic.ts).
 *
 * Coefficients live on the standardised scale (that is what the penalty sees, and what makes
 * them comparable across features); `rawCoefficients()` converts them to the features' own
 * units. Missing values are imputed with the training mean. When the solver stops before the
 * tolerance is met the fitted model says so in `converged` / `warnings` (library code never
 * prints).
 */
import { CinerankError } from "../../core/index.js";
import type { FeatureMatrix } from "../../features/index.js";
import type { FitContext, Importance, LikeModel, ModelFamily, SearchSpace } from "../model.js";
import { fitNewtonLogistic } from "./newton-logistic.js";
import { fitStandardizer, type Standardizer } from "./standardizer.js";
import { type ConfigRule, validateConfig } from "./validate-config.js";

export interface LogisticRegressionConfig {
  /**
   * Inverse regularisation strength, as scikit-learn's C: the penalty is
   * ((1 - r) |b|^2 / 2 + r |b|_1) / C with r the L1 share (0 for "l2").
   */
  C: number;
  /** "l2" (ridge), "l1" (lasso) or "elasticnet" (l1Ratio of L1, the rest L2), as scikit-learn. */
  penalty: "l2" | "l1" | "elasticnet";
  /** L1 share r of the elastic-net penalty, in [0, 1]; used only with penalty "elasticnet". */
  l1Ratio: number;
  /** Stop when max |gradient| / total sample weight falls below this. */
  tol: number;
  /** Newton iterations at most; more means a `converged: false` model with a warning. */
  maxIter: number;
  /** "balanced" weighs each class by n / (2 n_class), as scikit-learn's class_weight. */
  classWeight: "none" | "balanced";
}

const defaults: LogisticRegressionConfig = {
  C: 1,
  penalty: "l2",
  l1Ratio: 0.5,
  tol: 1e-6,
  maxIter: 100,
  classWeight: "none",
};

const rules: { [K in keyof LogisticRegressionConfig]: ConfigRule } = {
  C: { type: "float", min: 0, exclusiveMin: true },
  penalty: { type: "choice", values: ["l2", "l1", "elasticnet"] },
  l1Ratio: { type: "float", min: 0, max: 1 },
  tol: { type: "float", min: 0, exclusiveMin: true },
  maxIter: { type: "int", min: 1, max: 10000 },
  classWeight: { type: "choice", values: ["none", "balanced"] },
};

const searchSpace: SearchSpace = {
  random: {
    C: { type: "float", min: 1e-3, max: 100, log: true },
    classWeight: { type: "choice", values: ["none", "balanced"] },
  },
  grid: { C: [0.01, 0.1, 1, 10] },
};

const FORMAT = "cinerank-lr";
const VERSION = 1;

interface LrState {
  featureNames: string[];
  config: LogisticRegressionConfig;
  mean: number[];
  scale: number[];
  coef: number[];
  intercept: number;
  iterations: number;
  converged: boolean;
  gradNorm: number;
}

/** A fitted logistic regression. */
export class LogisticRegressionModel implements LikeModel {
  readonly family = "lr";
  readonly featureNames: readonly string[];
  readonly config: LogisticRegressionConfig;
  /** Coefficients on the standardised scale, in column order. */
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly iterations: number;
  /** False when maxIter was reached before the tolerance. */
  readonly converged: boolean;
  /** Max |gradient| / total weight at the end of the fit. */
  readonly gradNorm: number;
  /** Human-readable fit warnings (e.g. not converged); empty when all is well. */
  readonly warnings: string[];
  private readonly std: Standardizer;

  constructor(s: LrState) {
    this.featureNames = s.featureNames;
    this.config = s.config;
    this.std = { mean: Float64Array.from(s.mean), scale: Float64Array.from(s.scale) };
    this.coef = Float64Array.from(s.coef);
    this.intercept = s.intercept;
    this.iterations = s.iterations;
    this.converged = s.converged;
    this.gradNorm = s.gradNorm;
    this.warnings = s.converged
      ? []
      : [
          `lr did not converge in ${s.iterations} iterations (gradient ${s.gradNorm.toExponential(2)} > tol ${s.config.tol}); raise maxIter or lower C`,
        ];
  }

  /** Standardised-scale coefficient per feature name. */
  coefficients(): Record<string, number> {
    const out: Record<string, number> = {};
    this.featureNames.forEach((n, i) => {
      out[n] = this.coef[i];
    });
    return out;
  }

  /** Coefficients and intercept in the features' original units (logit = intercept + x . coef). */
  rawCoefficients(): { intercept: number; coefficients: Record<string, number> } {
    const coefficients: Record<string, number> = {};
    let intercept = this.intercept;
    this.featureNames.forEach((n, i) => {
      const b = this.coef[i] / this.std.scale[i];
      coefficients[n] = b;
      intercept -= b * this.std.mean[i];
    });
    return { intercept, coefficients };
  }

  private logit(values: Float32Array, offset: number): number {
    let s = this.intercept;
    const p = this.coef.length;
    for (let c = 0; c < p; c++) {
      const v = values[offset + c];
      if (!Number.isNaN(v)) s += (this.coef[c] * (v - this.std.mean[c])) / this.std.scale[c];
    }
    return s;
  }

  predict(values: Float32Array, rows: number): Float32Array {
    const p = this.coef.length;
    if (values.length < rows * p) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `lr.predict: ${rows} rows x ${p} features need ${rows * p} values, got ${values.length}`,
      );
    }
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = 1 / (1 + Math.exp(-this.logit(values, r * p)));
    return out;
  }

  importance(): Importance[] {
    return this.featureNames
      .map((feature, i) => ({ feature, value: Math.abs(this.coef[i]) }))
      .sort((a, b) => b.value - a.value);
  }

  /** coef x standardised value per feature (missing -> 0), plus the intercept as bias. */
  contributions(row: Float32Array): { bias: number; values: Float32Array } {
    const p = this.coef.length;
    const values = new Float32Array(p);
    for (let c = 0; c < p; c++) {
      const v = row[c];
      values[c] = !Number.isNaN(v)
        ? (this.coef[c] * (v - this.std.mean[c])) / this.std.scale[c]
        : 0;
    }
    return { bias: this.intercept, values };
  }

  serialize(): Uint8Array {
    const state: LrState & { format: string; version: number } = {
      format: FORMAT,
      version: VERSION,
      featureNames: [...this.featureNames],
      config: this.config,
      mean: [...this.std.mean],
      scale: [...this.std.scale],
      coef: [...this.coef],
      intercept: this.intercept,
      iterations: this.iterations,
      converged: this.converged,
      gradNorm: this.gradNorm,
    };
    // JSON prints every double in its shortest round-tripping form, so load() is bit-exact
    return new TextEncoder().encode(JSON.stringify(state));
  }
}

function loadLr(bytes: Uint8Array): LogisticRegressionModel {
  let s: LrState & { format?: string; version?: number };
  try {
    s = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `lr: model bytes are not JSON (${(e as Error).message})`,
    );
  }
  if (s.format !== FORMAT || s.version !== VERSION) {
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `lr: expected format ${FORMAT} version ${VERSION}, got ${s.format} version ${s.version}`,
    );
  }
  const p = s.featureNames?.length;
  if (!(p >= 0) || s.coef?.length !== p || s.mean?.length !== p || s.scale?.length !== p) {
    throw new CinerankError("ERR_MODEL_FORMAT", "lr: coefficient arrays do not match featureNames");
  }
  // models saved before penalty / l1Ratio existed were L2
  return new LogisticRegressionModel({ ...s, config: { ...defaults, ...s.config } });
}

export const logisticRegression: ModelFamily<LogisticRegressionConfig> = {
  name: "lr",
  description:
    "regularised logistic regression on standardised features (L2, L1 or elastic net; Newton/IRLS)",
  defaults,
  searchSpace,
  config: (partial) => validateConfig("lr", defaults, rules, partial),
  async fit(train: FeatureMatrix, config: LogisticRegressionConfig, ctx: FitContext) {
    const cfg = validateConfig("lr", defaults, rules, config);
    if (train.rows === 0) throw new CinerankError("ERR_DATA_EMPTY", "lr: no training rows");
    const std = fitStandardizer(train.values, train.rows, train.cols);
    let classWeight: [number, number] = [1, 1];
    if (cfg.classWeight === "balanced") {
      let pos = 0;
      for (let r = 0; r < train.rows; r++) pos += train.labels[r];
      const neg = train.rows - pos;
      classWeight = [neg > 0 ? train.rows / (2 * neg) : 1, pos > 0 ? train.rows / (2 * pos) : 1];
    }
    ctx.onProgress?.({ stage: "lr", done: 0, total: 1, unit: "fits" });
    const res = fitNewtonLogistic(train.values, train.labels, train.rows, train.cols, std, {
      C: cfg.C,
      tol: cfg.tol,
      maxIter: cfg.maxIter,
      classWeight,
      l1Ratio: cfg.penalty === "l2" ? 0 : cfg.penalty === "l1" ? 1 : cfg.l1Ratio,
    });
    ctx.onProgress?.({
      stage: "lr",
      done: 1,
      total: 1,
      unit: "fits",
      message: `${res.iterations} Newton steps${res.converged ? "" : " (not converged)"}`,
    });
    return new LogisticRegressionModel({
      featureNames: [...train.names],
      config: cfg,
      mean: [...std.mean],
      scale: [...std.scale],
      coef: [...res.coef],
      intercept: res.intercept,
      iterations: res.iterations,
      converged: res.converged,
      gradNorm: res.gradNorm,
    });
  },
  load: loadLr,
};
