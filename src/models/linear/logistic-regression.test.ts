import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Rng } from "../../core/index.js";
import type { FeatureMatrix } from "../../features/index.js";
import { type LogisticRegressionModel, logisticRegression } from "./logistic-regression.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

interface Fixture {
  names: string[];
  X: number[][];
  y: number[];
  cases: {
    C: number;
    classWeight: "none" | "balanced";
    coef: number[];
    intercept: number;
    probaFirst5: number[];
  }[];
}

function matrix(names: string[], X: number[][], y: number[]): FeatureMatrix {
  const rows = X.length;
  const cols = names.length;
  return {
    rows,
    cols,
    names,
    values: Float32Array.from(X.flat()),
    labels: Uint8Array.from(y),
    ratings: new Float32Array(rows).fill(Number.NaN),
    user: new Int32Array(rows),
    movie: new Int32Array(rows),
    timestamp: new Float64Array(rows),
  };
}

const fx: Fixture = JSON.parse(
  readFileSync(resolve(root, "test/fixtures/lr-sklearn.json"), "utf8"),
);

for (const c of fx.cases) {
  test(`lr matches scikit-learn LogisticRegression (C=${c.C}, classWeight=${c.classWeight})`, async () => {
    const m = matrix(fx.names, fx.X, fx.y);
    const cfg = logisticRegression.config({ C: c.C, classWeight: c.classWeight, tol: 1e-10 });
    const model = (await logisticRegression.fit(m, cfg, {
      rng: new Rng(1),
    })) as LogisticRegressionModel;
    assert.equal(model.converged, true);
    assert.deepEqual(model.warnings, []);
    const coefs = model.coefficients();
    fx.names.forEach((n, i) => {
      assert.ok(Math.abs(coefs[n] - c.coef[i]) < 1e-3, `${n}: ${coefs[n]} vs sklearn ${c.coef[i]}`);
    });
    assert.ok(Math.abs(model.intercept - c.intercept) < 1e-3);
    const p = model.predict(m.values, 5);
    for (const [i, q] of c.probaFirst5.entries()) assert.ok(Math.abs(p[i] - q) < 1e-4);
  });
}

test("lr contributions sum to the logit and raw coefficients reproduce it", async () => {
  const m = matrix(fx.names, fx.X, fx.y);
  const model = (await logisticRegression.fit(m, logisticRegression.config(), {
    rng: new Rng(1),
  })) as LogisticRegressionModel;
  const raw = model.rawCoefficients();
  for (let r = 0; r < 10; r++) {
    const row = m.values.subarray(r * m.cols, (r + 1) * m.cols);
    const { bias, values } = model.contributions(row);
    const logit = bias + values.reduce((a, b) => a + b, 0);
    const p = model.predict(row, 1)[0];
    assert.ok(Math.abs(1 / (1 + Math.exp(-logit)) - p) < 1e-6);
    let rawLogit = raw.intercept;
    fx.names.forEach((n, i) => {
      rawLogit += raw.coefficients[n] * row[i];
    });
    assert.ok(Math.abs(rawLogit - logit) < 1e-6);
  }
  assert.equal(model.importance()[0].feature, "x0");
});

test("lr reports non-convergence on the model instead of printing", async () => {
  const m = matrix(fx.names, fx.X, fx.y);
  const model = (await logisticRegression.fit(
    m,
    logisticRegression.config({ maxIter: 1, tol: 1e-12 }),
    { rng: new Rng(1) },
  )) as LogisticRegressionModel;
  assert.equal(model.converged, false);
  assert.equal(model.warnings.length, 1);
  assert.match(model.warnings[0], /did not converge in 1 iterations/);
});

test("lr imputes missing values with the training mean and survives a serialise round trip", async () => {
  const rng = new Rng(3);
  const rows = 300;
  const X: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    const a = rng.normal();
    const b = rng.next() < 0.2 ? Number.NaN : rng.normal();
    X.push([a, b, 7]); // constant third column: scale 1, coefficient 0
    y.push(rng.next() < 1 / (1 + Math.exp(-(2 * a + (!Number.isNaN(b) ? b : 0)))) ? 1 : 0);
  }
  const m = matrix(["a", "b", "const"], X, y);
  const model = await logisticRegression.fit(m, logisticRegression.config({ C: 10 }), {
    rng: new Rng(1),
  });
  const p = model.predict(m.values, rows);
  assert.ok(p.every((v) => v > 0 && v < 1));
  const back = logisticRegression.load(model.serialize());
  assert.deepEqual(back.predict(m.values, rows), p);
  const coefs = (model as LogisticRegressionModel).coefficients();
  assert.ok(coefs.a > 1.2 && coefs.b > 0.4, JSON.stringify(coefs));
  assert.ok(Math.abs(coefs.const) < 1e-9);
  // a row whose "b" is missing scores like one whose "b" equals the training mean
  const meanB = model.predict(Float32Array.from([0.5, Number.NaN, 7]), 1)[0];
  const lo = model.predict(Float32Array.from([0.5, -5, 7]), 1)[0];
  const hi = model.predict(Float32Array.from([0.5, 5, 7]), 1)[0];
  assert.ok(lo < meanB && meanB < hi);
});

test("lr config rejects unknown keys and bad values with ERR_INVALID_CONFIG", () => {
  assert.throws(() => logisticRegression.config({ C: -1 }), { code: "ERR_INVALID_CONFIG" });
  assert.throws(() => logisticRegression.config({ lambda: 1 } as never), {
    code: "ERR_INVALID_CONFIG",
    message: /unknown option "lambda"/,
  });
  assert.throws(() => logisticRegression.config({ classWeight: "auto" as never }), {
    code: "ERR_INVALID_CONFIG",
  });
  assert.throws(() => logisticRegression.load(new TextEncoder().encode("{}")), {
    code: "ERR_MODEL_FORMAT",
  });
});
