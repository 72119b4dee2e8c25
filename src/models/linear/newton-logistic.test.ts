import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { fitNewtonLogistic } from "./newton-logistic.js";
import { fitStandardizer } from "./standardizer.js";

test("newton: a Hessian from a row subset reaches the same minimiser as the exact one", () => {
  const rng = new Rng(11);
  const rows = 4000;
  const cols = 6;
  const values = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = -0.3;
    for (let c = 0; c < cols; c++) {
      const v = rng.normal() * (c + 1);
      values[r * cols + c] = v;
      s += ((c % 3) - 1) * 0.4 * v;
    }
    labels[r] = rng.next() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
  }
  const std = fitStandardizer(values, rows, cols);
  const opt = { C: 1, tol: 1e-10, maxIter: 100, classWeight: [1, 1] as [number, number] };
  const exact = fitNewtonLogistic(values, labels, rows, cols, std, opt);
  const sub = fitNewtonLogistic(values, labels, rows, cols, std, { ...opt, hessianRows: 150 });
  assert.ok(exact.converged && sub.converged);
  // the subset really changed the path (the exact Newton step converges in fewer iterations)
  assert.ok(sub.iterations > exact.iterations, `${sub.iterations} vs ${exact.iterations}`);
  for (let c = 0; c < cols; c++) assert.ok(Math.abs(sub.coef[c] - exact.coef[c]) < 1e-6);
  assert.ok(Math.abs(sub.intercept - exact.intercept) < 1e-6);
});

test("newton: the JS Hessian kernel reaches the same doubles as the WebAssembly one", () => {
  const rng = new Rng(5);
  const rows = 1500;
  const cols = 9;
  const values = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0.2;
    for (let c = 0; c < cols; c++) {
      const v = rng.next() < 0.05 ? Number.NaN : rng.normal() + c;
      values[r * cols + c] = v;
      if (!Number.isNaN(v)) s += (c % 2 ? 0.3 : -0.2) * (v - c);
    }
    labels[r] = rng.next() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
  }
  const std = fitStandardizer(values, rows, cols);
  const opt = { C: 0.5, tol: 1e-9, maxIter: 50, classWeight: [1, 2] as [number, number] };
  for (const l1Ratio of [0, 0.5]) {
    const a = fitNewtonLogistic(values, labels, rows, cols, std, { ...opt, l1Ratio });
    const b = fitNewtonLogistic(values, labels, rows, cols, std, { ...opt, l1Ratio, wasm: false });
    assert.ok(a.converged);
    assert.deepEqual(a.coef, b.coef);
    assert.equal(a.intercept, b.intercept);
    assert.equal(a.iterations, b.iterations);
  }
});
