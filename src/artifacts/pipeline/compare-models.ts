/**
 * The model-comparison core of `cinerank train`, on ready feature matrices: the three like-rate
 * baselines, then every requested family with default settings ("baseline") and, when asked,
 * grid and random search over the family's own search space. Every row gets validation and test
 * metrics at 0.5 and at its own validation-best-F1 threshold. The final model is the best
 * validation ROC AUC; a simpler model wins ties within `tieTolerance` (0.001). Test metrics are
 * computed for the table but never used to choose.
 */
import { type ProgressReporter, rngFor } from "../../core/index.js";
import {
  bestF1Threshold,
  type ClassificationMetrics,
  type ComparisonTableRow,
  classificationMetrics,
  type CurvePoint,
  prCurve,
  rocCurve,
} from "../../evaluation/index.js";
import { type FeatureMatrix, selectRows } from "../../features/index.js";
import {
  fitLikeRateBaseline,
  LIKE_RATE_BASELINES,
  type LikeModel,
  type ModelFamily,
} from "../../models/index.js";
import { type TrialResult, type TuneMethod, tuneModel } from "../../tuning/index.js";
import { rowKey } from "../run-metrics.js";

export type TuneMode = "none" | "grid" | "random" | "both";

/** Families whose training rows --max-train-rows caps (the others see every training row). */
export const SAMPLED_FAMILIES: ReadonlySet<string> = new Set(["gbdt", "rf"]);

/** Simpler first: used to break validation-AUC ties within the tolerance. */
export const SIMPLICITY: readonly string[] = ["lr", "knn", "mf", "rf", "gbdt"];
const VARIANT_ORDER = ["baseline", "grid", "random"];

export interface CompareOptions {
  train: FeatureMatrix;
  val: FeatureMatrix;
  test: FeatureMatrix;
  families: readonly ModelFamily<object>[];
  tune?: TuneMode;
  /** Random-search trials per family (default 10). */
  trials?: number;
  seed?: number;
  /** Cap on training rows for SAMPLED_FAMILIES (seeded sample); 0 or Infinity = no cap. */
  maxTrainRows?: number;
  /** Config overrides per family name (e.g. fewer trees in tests). */
  configs?: Record<string, Record<string, unknown>>;
  threads?: number;
  tieTolerance?: number;
  onProgress?: ProgressReporter;
  /** Called after each fitted row, e.g. to save the model right away. */
  onModel?: (key: string, model: LikeModel) => Promise<void> | void;
  curvePoints?: number;
}

export interface FittedRow {
  row: ComparisonTableRow;
  key: string;
  /** null for reference baselines. */
  model: LikeModel | null;
  family: string;
  valProbs: Float32Array;
  testProbs: Float32Array;
}

export interface CompareResult {
  rows: ComparisonTableRow[];
  fitted: FittedRow[];
  chosen: FittedRow;
  tuning: { key: string; method: TuneMethod; trials: TrialResult[] }[];
  curves: { key: string; roc: CurvePoint[]; pr: CurvePoint[] }[];
  baselineCheck: { key: string; valAuc: number; bestBaselineValAuc: number; beatsAll: boolean }[];
  treeTrainRows: number;
}

/** A seeded sample of `max` rows (sorted, so the matrix keeps its row order), or the matrix itself. */
export function sampleRows(m: FeatureMatrix, max: number, seed: number): FeatureMatrix {
  if (!(max > 0) || m.rows <= max) return m;
  const idx = Int32Array.from({ length: m.rows }, (_, i) => i);
  const rng = rngFor(seed, 104729);
  // partial Fisher–Yates: the first `max` slots become a uniform sample
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(m.rows - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return selectRows(m, idx.subarray(0, max).sort());
}

function evaluate(
  valProbs: Float32Array,
  testProbs: Float32Array,
  val: FeatureMatrix,
  test: FeatureMatrix,
): { val: ClassificationMetrics; test: ClassificationMetrics } {
  const t = bestF1Threshold(valProbs, val.labels).threshold;
  return {
    val: classificationMetrics(valProbs, val.labels, t),
    test: classificationMetrics(testProbs, test.labels, t),
  };
}

function simplicity(r: FittedRow): number {
  const f = SIMPLICITY.indexOf(r.family);
  return (f < 0 ? SIMPLICITY.length : f) * 10 + Math.max(0, VARIANT_ORDER.indexOf(r.row.variant));
}

/** Best validation AUC; among rows within `tol` of the best, the simplest. */
export function chooseFinal(rows: readonly FittedRow[], tol = 0.001): FittedRow {
  const cands = rows.filter((r) => r.model !== null && Number.isFinite(r.row.val.rocAuc));
  if (cands.length === 0) throw new Error("no fitted model to choose from");
  const best = Math.max(...cands.map((r) => r.row.val.rocAuc));
  const near = cands.filter((r) => r.row.val.rocAuc >= best - tol);
  near.sort((a, b) => simplicity(a) - simplicity(b) || b.row.val.rocAuc - a.row.val.rocAuc);
  return near[0];
}

export async function compareModels(o: CompareOptions): Promise<CompareResult> {
  const fitted: FittedRow[] = [];
  try {
    return await compareInto(o, fitted);
  } catch (e) {
    // a failed fit must not leave earlier models' worker threads running
    for (const f of fitted) await f.model?.dispose?.();
    throw e;
  }
}

async function compareInto(o: CompareOptions, fitted: FittedRow[]): Promise<CompareResult> {
  const seed = o.seed ?? 42;
  const tune = o.tune ?? "none";
  const tuning: CompareResult["tuning"] = [];
  const report = o.onProgress;
  const add = (
    model: string,
    variant: string,
    params: Record<string, unknown>,
    family: string,
    m: LikeModel | null,
    valProbs: Float32Array,
    testProbs: Float32Array,
    fitSeconds: number,
  ): FittedRow => {
    const metrics = evaluate(valProbs, testProbs, o.val, o.test);
    const row: ComparisonTableRow = {
      model,
      variant,
      params,
      val: metrics.val,
      test: metrics.test,
      fitSeconds,
      chosen: false,
    };
    const f: FittedRow = { row, key: rowKey(row), model: m, family, valProbs, testProbs };
    fitted.push(f);
    return f;
  };

  for (const kind of LIKE_RATE_BASELINES) {
    const t0 = performance.now();
    const b = fitLikeRateBaseline(o.train, kind);
    const secs = (performance.now() - t0) / 1000;
    add(b.name, "reference", {}, "reference", null, b.predict(o.val), b.predict(o.test), secs);
  }

  const treeTrain = sampleRows(o.train, o.maxTrainRows ?? 0, seed);
  const methods: TuneMethod[] =
    tune === "both" ? ["grid", "random"] : tune === "none" ? [] : [tune];
  const jobs = o.families.length * (1 + methods.length);
  let done = 0;
  report?.({ stage: "models", done, total: jobs, unit: "fits" });
  for (const family of o.families) {
    const train = SAMPLED_FAMILIES.has(family.name) ? treeTrain : o.train;
    const base = o.configs?.[family.name] ?? {};
    const fitStage = (e: Parameters<ProgressReporter>[0]) =>
      report?.({ ...e, stage: `${family.name}: ${e.stage}` });
    const t0 = performance.now();
    const config = family.config(base as never) as Record<string, unknown>;
    const model = await family.fit(train, config, {
      rng: rngFor(seed, 1),
      valid: o.val,
      threads: o.threads,
      onProgress: fitStage,
    });
    const secs = (performance.now() - t0) / 1000;
    const r = add(
      family.name,
      "baseline",
      config,
      family.name,
      model,
      model.predict(o.val.values, o.val.rows),
      model.predict(o.test.values, o.test.rows),
      secs,
    );
    await o.onModel?.(r.key, model);
    report?.({
      stage: "models",
      done: ++done,
      total: jobs,
      unit: "fits",
      message: `${r.key} val AUC ${r.row.val.rocAuc.toFixed(4)}`,
    });
    for (const method of methods) {
      const t1 = performance.now();
      const res = await tuneModel({
        family,
        train,
        valid: o.val,
        method,
        trials: o.trials,
        seed,
        base,
        threads: o.threads,
        onProgress: report,
        onFitProgress: fitStage,
      });
      const total = (performance.now() - t1) / 1000;
      const tm = res.model;
      const tr = add(
        family.name,
        method,
        res.best.config,
        family.name,
        tm,
        tm.predict(o.val.values, o.val.rows),
        tm.predict(o.test.values, o.test.rows),
        total,
      );
      tuning.push({ key: tr.key, method, trials: res.trials });
      await o.onModel?.(tr.key, tm);
      report?.({
        stage: "models",
        done: ++done,
        total: jobs,
        unit: "fits",
        message: `${tr.key} val AUC ${tr.row.val.rocAuc.toFixed(4)}`,
      });
    }
  }

  const chosen = chooseFinal(fitted, o.tieTolerance);
  chosen.row.chosen = true;
  const refs = fitted.filter((f) => f.model === null);
  const bestRef = Math.max(
    ...refs.map((f) => (Number.isFinite(f.row.val.rocAuc) ? f.row.val.rocAuc : 0.5)),
  );
  const baselineCheck = fitted
    .filter((f) => f.model !== null)
    .map((f) => ({
      key: f.key,
      valAuc: f.row.val.rocAuc,
      bestBaselineValAuc: bestRef,
      beatsAll: f.row.val.rocAuc > bestRef,
    }));
  const n = o.curvePoints ?? 120;
  const curves = fitted.map((f) => ({
    key: f.key,
    roc: rocCurve(f.testProbs, o.test.labels, n),
    pr: prCurve(f.testProbs, o.test.labels, n),
  }));
  return {
    rows: fitted.map((f) => f.row),
    fitted,
    chosen,
    tuning,
    curves,
    baselineCheck,
    treeTrainRows: treeTrain.rows,
  };
}
