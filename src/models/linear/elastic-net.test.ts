/**
 * L1 / elastic-net logistic regression against scikit-learn's
 * LogisticRegression(penalty="elasticnet", solver="saga") on the lr-sklearn fixture rows
 * (expected values: test/fixtures/lr-elasticnet-sklearn.json, made by
 * test/reference/lr_elasticnet_sklearn.py). Tolerance 1e-4 on coefficients: SAGA stops when a
 * full epoch moves no coefficient by more than 1e-12 relative, which leaves it within ~1e-6 of
 * the optimum on this well-conditioned 5-feature problem, and cinerank's proximal Newton
 * converges to 1e-10; the same zero pattern (L1 sets coefficients exactly to 0); and an
 * objective no higher than scikit-learn's (cinerank's solver is exact, so it must not lose).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Rng } from "../../core/index.js";
import type { FeatureMatrix } from "../../features/index.js";
import { type LogisticRegressionModel, logisticRegression } from "./logistic-regression.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const rows: { names: string[]; X: number[][]; y: number[] } = JSON.parse(
  readFileSync(resolve(root, "test/fixtures/lr-sklearn.json"), "utf8"),
);
const fx: {
  cases: {
    C: number;
    l1Ratio: number;
    penalty: "l1" | "elasticnet";
    coef: number[];
    intercept: number;
    objective: number;
  }[];
} = JSON.parse(readFileSync(resolve(root, "test/fixtures/lr-elasticnet-sklearn.json"), "utf8"));

const n = rows.X.length;
const matrix: FeatureMatrix = {
  rows: n,
  cols: rows.names.length,
  names: rows.names,
  values: Float32Array.from(rows.X.flat()),
  labels: Uint8Array.from(rows.y),
  ratings: new Float32Array(n).fill(Number.NaN),
  user: new Int32Array(n),
  movie: new Int32Array(n),
  timestamp: new Float64Array(n),
};

/** scikit-learn's objective / C, in double precision from the fitted model. */
function objective(m: LogisticRegressionModel, C: number, r: number): number {
  const raw = m.rawCoefficients();
  let f = 0;
  for (let i = 0; i < n; i++) {
    let s = raw.intercept;
    rows.names.forEach((nm, c) => {
      s += raw.coefficients[nm] * rows.X[i][c];
    });
    f += Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s))) - rows.y[i] * s;
  }
  let l2 = 0;
  let l1 = 0;
  for (const b of m.coef) {
    l2 += b * b;
    l1 += Math.abs(b);
  }
  return f + ((1 - r) * 0.5 * l2 + r * l1) / C;
}

for (const c of fx.cases) {
  test(`lr ${c.penalty} matches scikit-learn saga (C=${c.C}, l1Ratio=${c.l1Ratio})`, async () => {
    const cfg = logisticRegression.config({
      C: c.C,
      penalty: c.penalty,
      l1Ratio: c.l1Ratio,
      tol: 1e-10,
    });
    const model = (await logisticRegression.fit(matrix, cfg, {
      rng: new Rng(1),
    })) as LogisticRegressionModel;
    assert.equal(model.converged, true, model.warnings.join("; "));
    model.coef.forEach((b, i) => {
      assert.ok(Math.abs(b - c.coef[i]) < 1e-4, `x${i}: ${b} vs sklearn ${c.coef[i]}`);
      assert.equal(b === 0, c.coef[i] === 0, `x${i}: zero pattern ${b} vs ${c.coef[i]}`);
    });
    assert.ok(Math.abs(model.intercept - c.intercept) < 1e-4);
    const f = objective(model, c.C, c.l1Ratio);
    assert.ok(f <= c.objective + 1e-9, `objective ${f} > sklearn ${c.objective}`);
  });
}

test("lr penalty l2 ignores l1Ratio and elasticnet with l1Ratio 0 is the L2 fit", async () => {
  const fit = async (p: Partial<Parameters<typeof logisticRegression.config>[0]>) =>
    (await logisticRegression.fit(matrix, logisticRegression.config({ C: 0.3, tol: 1e-10, ...p }), {
      rng: new Rng(1),
    })) as LogisticRegressionModel;
  const l2 = await fit({});
  const l2b = await fit({ l1Ratio: 0.9 });
  const en0 = await fit({ penalty: "elasticnet", l1Ratio: 0 });
  assert.deepEqual([...l2b.coef], [...l2.coef]);
  for (const [i, b] of l2.coef.entries()) assert.ok(Math.abs(b - en0.coef[i]) < 1e-7);
  assert.throws(() => logisticRegression.config({ l1Ratio: 1.5 }), /l1Ratio/);
  assert.throws(() => logisticRegression.config({ penalty: "l3" as "l1" }), /penalty/);
});
