/**
 * GET /api/models: the run's metrics.json (artifacts' RunMetrics) reshaped into the API
 * contract (api-types' ModelsResponse) — comparison rows, curves, importances, confusion,
 * calibration of the chosen model and its ranking metrics.
 */
import { type RunMetrics, rowKey } from "../artifacts/index.js";
import type { ClassificationMetrics } from "../evaluation/index.js";
import type { Metrics, ModelsResponse } from "./api-types.js";

function metrics(c: ClassificationMetrics): Metrics {
  const t = c.atTuned;
  return {
    accuracy: t.accuracy,
    precision: t.precision,
    recall: t.recall,
    f1: t.f1,
    rocAuc: c.rocAuc,
    prAuc: c.prAuc,
    logLoss: c.logLoss,
    brier: c.brier,
  };
}

type Param = number | string | boolean;

function params(p: Record<string, unknown>): Record<string, Param> {
  const out: Record<string, Param> = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[k] = v;
    else if (v !== undefined && v !== null) out[k] = JSON.stringify(v);
  }
  return out;
}

export function modelsResponse(m: RunMetrics): ModelsResponse {
  const byKey = new Map(m.rows.map((r) => [rowKey(r), r]));
  const chosenRow = byKey.get(m.chosen.key) ?? m.rows.find((r) => r.chosen);
  const counts = m.split.counts;
  const ranking: Record<string, number> = {};
  for (const [who, r] of [
    ["model", m.ranking?.model],
    ["popularity", m.ranking?.popularity],
  ] as const) {
    for (const at of r?.atK ?? []) {
      for (const key of ["precision", "recall", "ndcg", "map", "hitRate", "coverage"] as const) {
        ranking[`${who === "model" ? "" : "popularity."}${key}@${at.k}`] = at[key];
      }
    }
  }
  return {
    run: m.runId,
    chosen: m.chosen.key,
    threshold: m.split.threshold,
    decisionThreshold: m.chosen.threshold,
    split: {
      kind: m.split.kind,
      seed: m.split.seed,
      train: counts.train ?? 0,
      validation: counts.val ?? 0,
      test: counts.test ?? 0,
      dropped: (counts.droppedVal ?? 0) + (counts.droppedTest ?? 0),
    },
    rows: m.rows.map((r) => ({
      id: rowKey(r),
      family: r.model,
      variant: r.variant as ModelsResponse["rows"][number]["variant"],
      params: params(r.params),
      validation: metrics(r.val),
      test: metrics(r.test),
      fitSeconds: r.fitSeconds,
      chosen: r.chosen,
    })),
    roc: {
      validation: [],
      test: m.curves.map((c) => ({
        id: c.key,
        points: c.roc,
        auc: byKey.get(c.key)?.test.rocAuc ?? Number.NaN,
      })),
    },
    pr: {
      validation: [],
      test: m.curves.map((c) => ({
        id: c.key,
        points: c.pr,
        auc: byKey.get(c.key)?.test.prAuc ?? Number.NaN,
      })),
    },
    importance: m.importances.values.map((v) => ({ feature: v.feature, value: v.value })),
    confusion: { threshold: m.chosen.threshold, ...m.confusion },
    calibration: (chosenRow?.test.reliability ?? []).map((b, i) => ({
      bin: i,
      meanPredicted: b.meanPredicted,
      fractionPositive: b.observedRate,
      count: b.count,
    })),
    ranking,
  };
}
