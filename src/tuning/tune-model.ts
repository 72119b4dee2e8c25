/**
 * Grid or random search for one model family, choosing by validation ROC AUC. Each trial fits
 * on the training rows with its own seeded stream (rngFor(seed, trial)), scores the validation
 * rows and keeps only the best model so far (the others are disposed). Validation is never fitted
 * on; test is not seen here at all. Ties keep the earlier trial, so the default-like first grid
 * point wins a tie.
 */
import { type ProgressReporter, rngFor } from "../core/index.js";
import { rocAuc } from "../evaluation/index.js";
import type { FeatureMatrix } from "../features/index.js";
import type { LikeModel, ModelFamily } from "../models/index.js";
import { gridConfigs, type Params, randomConfigs } from "./search-configs.js";

export type TuneMethod = "grid" | "random";

export interface TuneOptions {
  family: ModelFamily<object>;
  train: FeatureMatrix;
  valid: FeatureMatrix;
  method: TuneMethod;
  /** Random-search trials (default 10); the grid always runs its full product. */
  trials?: number;
  seed?: number;
  /** Config every trial starts from (e.g. a smaller tree count for a quick run). */
  base?: Record<string, unknown>;
  threads?: number;
  onProgress?: ProgressReporter;
  /** Forwarded to each fit, for inner progress (trees, epochs). */
  onFitProgress?: ProgressReporter;
}

export interface TrialResult {
  trial: number;
  params: Params;
  config: Record<string, unknown>;
  valAuc: number;
  fitSeconds: number;
}

export interface TuneResult {
  method: TuneMethod;
  trials: TrialResult[];
  best: TrialResult;
  model: LikeModel;
}

export async function tuneModel(o: TuneOptions): Promise<TuneResult> {
  const seed = o.seed ?? 42;
  const space = o.family.searchSpace;
  const candidates =
    o.method === "grid"
      ? gridConfigs(space)
      : randomConfigs(space, o.trials ?? 10, rngFor(seed, 7919));
  if (candidates.length === 0) candidates.push({});
  const stage = `${o.family.name} ${o.method}`;
  const trials: TrialResult[] = [];
  let best: TrialResult | undefined;
  let bestModel: LikeModel | undefined;
  o.onProgress?.({ stage, done: 0, total: candidates.length, unit: "trials" });
  for (let t = 0; t < candidates.length; t++) {
    const config = o.family.config({ ...o.base, ...candidates[t] } as never) as Record<
      string,
      unknown
    >;
    const started = performance.now();
    const model = await o.family.fit(o.train, config, {
      rng: rngFor(seed, t),
      valid: o.valid,
      threads: o.threads,
      onProgress: o.onFitProgress,
    });
    const fitSeconds = (performance.now() - started) / 1000;
    const valAuc = rocAuc(model.predict(o.valid.values, o.valid.rows), o.valid.labels);
    const result: TrialResult = { trial: t, params: candidates[t], config, valAuc, fitSeconds };
    trials.push(result);
    if (
      best === undefined ||
      valAuc > best.valAuc ||
      (Number.isNaN(best.valAuc) && !Number.isNaN(valAuc))
    ) {
      await bestModel?.dispose?.();
      best = result;
      bestModel = model;
    } else await model.dispose?.();
    o.onProgress?.({
      stage,
      done: t + 1,
      total: candidates.length,
      unit: "trials",
      message: `best val AUC ${best.valAuc.toFixed(4)}`,
    });
  }
  return { method: o.method, trials, best: best!, model: bestModel! };
}
