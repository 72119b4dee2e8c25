/**
 * The shared model interfaces and the registry.
 *
 * Config is separate from learned state: a `ModelFamily` validates and defaults a typed config,
 * declares its own search space (tuning asks the family, there is no central table), and
 * `fit(train, config, ctx)` returns a fitted `LikeModel`. A fitted model predicts P(like) for
 * rows of a FeatureMatrix-shaped table, serialises to bytes, and `family.load(bytes)` gives back
 * a model that predicts bit-identical scores.
 */
import type { ProgressReporter, Rng } from "../core/index.js";
import type { FeatureMatrix } from "../features/index.js";

/** One hyperparameter's range for random search; grid search uses `grid` values. */
export type ParamRange =
  | { type: "int"; min: number; max: number; log?: boolean }
  | { type: "float"; min: number; max: number; log?: boolean }
  | { type: "choice"; values: readonly (number | string | boolean)[] };

export interface SearchSpace {
  /** Random-search ranges, by config key. */
  random: Record<string, ParamRange>;
  /** Grid-search values, by config key (kept small: the grid is the product). */
  grid: Record<string, readonly (number | string | boolean)[]>;
}

export interface FitContext {
  rng: Rng;
  onProgress?: ProgressReporter;
  /** Validation rows, for early stopping where the model supports it. Never used to fit. */
  valid?: FeatureMatrix;
  /** Worker threads to use (default: available cores). */
  threads?: number;
}

/** Feature importance entry (by total gain or |coefficient|). */
export interface Importance {
  feature: string;
  value: number;
}

/** A fitted like-model: P(like) for feature rows. */
export interface LikeModel {
  readonly family: string;
  /** Feature names the model was fitted on, in column order. */
  readonly featureNames: readonly string[];
  /** P(like) for `rows` rows of a row-major table with featureNames.length columns. */
  predict(values: Float32Array, rows: number): Float32Array;
  /** Feature importances, largest first. */
  importance(): Importance[];
  /**
   * Per-feature contributions to the raw (logit) score of one row, plus the bias term; they sum
   * to the raw score. Used for explanations ("reasons").
   */
  contributions(row: Float32Array): { bias: number; values: Float32Array };
  /** Compact, versioned bytes; `family.load` restores an identical model. */
  serialize(): Uint8Array;
  /** Free worker threads or other resources, if any. */
  dispose?(): Promise<void>;
}

export interface ModelFamily<C extends object = Record<string, unknown>> {
  /** Short id used on the command line, e.g. "lr", "gbdt", "rf". */
  readonly name: string;
  /** One line for --help and the README. */
  readonly description: string;
  readonly defaults: C;
  readonly searchSpace: SearchSpace;
  /** Validate and default a partial config; throws CinerankError(ERR_INVALID_CONFIG). */
  config(partial?: Partial<C>): C;
  fit(train: FeatureMatrix, config: C, ctx: FitContext): Promise<LikeModel>;
  load(bytes: Uint8Array): LikeModel;
}

const registry = new Map<string, ModelFamily<object>>();

export function registerModel<C extends object>(family: ModelFamily<C>): void {
  registry.set(family.name, family as unknown as ModelFamily<object>);
}

export function getModel(name: string): ModelFamily<object> | undefined {
  return registry.get(name);
}

export function modelNames(): string[] {
  return [...registry.keys()];
}
