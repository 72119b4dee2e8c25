import assert from "node:assert/strict";
import { test } from "node:test";
import { averagePrecision } from "./average-precision.js";
import { bestF1Threshold } from "./best-f1-threshold.js";
import { classificationMetrics } from "./classification-metrics.js";
import { comparisonCsv, comparisonMarkdown, type ComparisonTableRow } from "./comparison-table.js";
import { prCurve, rocCurve } from "./curves.js";
import { brierScore, logLoss } from "./probability-scores.js";
import { expectedCalibrationError, reliabilityTable } from "./reliability-table.js";
import { rocAuc } from "./roc-auc.js";
import { thresholdMetrics } from "./threshold-metrics.js";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test("ROC AUC: hand-computed case and tied scores count one half", () => {
  close(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  // pos {0.5, 0.9} vs neg {0.5, 0.2}: 0.5 + 1 + 1 + 1 = 3.5 of 4 pairs
  close(rocAuc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1]), 0.875);
  close(rocAuc([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0]), 0.5);
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [1, 1])));
});

test("average precision: hand-computed, ties form one threshold", () => {
  // 0.8 (+): P=1, R=.5 ; 0.4 (-) ; 0.35 (+): P=2/3, R=1  ->  .5*1 + .5*2/3
  close(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.5 + 1 / 3);
  close(averagePrecision([0.5, 0.5, 0.9], [1, 0, 0]), 1 / 3);
});

test("log loss clips at 1e-15, Brier is the mean squared error", () => {
  close(logLoss([0.9, 0.2], [1, 0]), (-Math.log(0.9) - Math.log(0.8)) / 2);
  close(logLoss([0], [1]), -Math.log(1e-15), 1e-9);
  close(logLoss([1], [0]), -Math.log(1e-15), 1e-3);
  close(brierScore([0.9, 0.2], [1, 0]), 0.025);
});

test("threshold metrics and the validation-best-F1 threshold", () => {
  const p = [0.9, 0.6, 0.4, 0.2, 0.5];
  const y = [1, 0, 1, 0, 1];
  const m = thresholdMetrics(p, y, 0.5);
  assert.deepEqual(m.confusion, { tp: 2, fp: 1, tn: 1, fn: 1 });
  close(m.accuracy, 0.6);
  close(m.precision, 2 / 3);
  close(m.recall, 2 / 3);
  close(m.f1, 2 / 3);
  const best = bestF1Threshold(p, y);
  close(best.threshold, 0.4);
  close(best.f1, 6 / 7);
  const none = thresholdMetrics([0.1, 0.2], [1, 0], 0.5);
  assert.equal(none.precision, 0);
  assert.equal(none.f1, 0);
});

test("10-bin reliability table and ECE", () => {
  const t = reliabilityTable([0.05, 0.15, 0.12, 1.0, 0.95], [0, 1, 0, 1, 1]);
  assert.equal(t.length, 10);
  assert.equal(t[0].count, 1);
  close(t[0].observedRate, 0);
  assert.equal(t[1].count, 2);
  close(t[1].meanPredicted, 0.135, 1e-12);
  close(t[1].observedRate, 0.5);
  assert.equal(t[9].count, 2);
  close(t[9].meanPredicted, 0.975);
  assert.ok(Number.isNaN(t[5].meanPredicted));
  close(expectedCalibrationError(t), (1 * 0.05 + 2 * 0.365 + 2 * 0.025) / 5, 1e-12);
});

test("ROC and PR curve points", () => {
  assert.deepEqual(rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), [
    [0, 0],
    [0, 0.5],
    [0.5, 0.5],
    [0.5, 1],
    [1, 1],
  ]);
  const pr = prCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
  assert.deepEqual(pr[0], [0, 1]);
  assert.deepEqual(pr[1], [0.5, 1]);
  assert.deepEqual(pr[3], [1, 2 / 3]);
  const n = 5000;
  const s = Float32Array.from({ length: n }, (_, i) => i / n);
  const l = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const roc = rocCurve(s, l, 50);
  assert.equal(roc.length, 50);
  assert.deepEqual(roc[0], [0, 0]);
  assert.deepEqual(roc[49], [1, 1]);
});

test("classification metrics bundle and comparison table rendering", () => {
  const p = [0.9, 0.6, 0.4, 0.2, 0.5];
  const y = [1, 0, 1, 0, 1];
  const m = classificationMetrics(p, y, 0.4);
  close(m.likeRate, 0.6);
  close(m.atTuned.f1, 6 / 7);
  close(m.rocAuc, rocAuc(p, y));
  const row: ComparisonTableRow = {
    model: "gbdt",
    variant: "grid",
    params: { trees: 3, note: "a,b" },
    val: m,
    test: m,
    fitSeconds: 1.5,
    chosen: true,
  };
  const md = comparisonMarkdown([row, { ...row, variant: "baseline", chosen: false }]);
  const lines = md.trim().split("\n");
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^\| model \| variant \| val AUC/);
  assert.match(lines[2], /\| gbdt \| grid \| 0\.\d{4} .*\| \* \|$/);
  assert.match(lines[3], /\| baseline \|/);
  const csv = comparisonCsv([row]).trim().split("\n");
  assert.equal(csv.length, 2);
  assert.equal(csv[0].split(",").length, csv[1].replace(/"[^"]*"/g, "x").split(",").length);
  assert.match(csv[1], /"\{""trees"":3,""note"":""a,b""\}"$/);
});
