import assert from "node:assert/strict";
import { test } from "node:test";
import { trainGbdt } from "./gbdt.js";
import type { PackedForest } from "./packed-tree.js";
import { TreeShap } from "./shap.js";
import { syntheticTable } from "./synthetic-table.js";

/** E[f(x) | x_S] with cover-weighted averaging over features outside S (TreeSHAP's definition). */
function condExpectation(
  f: PackedForest,
  x: Float32Array,
  inS: (feature: number) => boolean,
): number {
  const walk = (i: number): number => {
    const feat = f.feature[i];
    if (feat < 0) return f.value[i];
    const l = f.left[i];
    if (inS(feat)) {
      const v = x[feat];
      const goLeft =
        v <= f.threshold[i] ? true : v > f.threshold[i] ? false : f.defaultLeft[i] === 1;
      return walk(goLeft ? l : l + 1);
    }
    return (f.cover[l] * walk(l) + f.cover[l + 1] * walk(l + 1)) / f.cover[i];
  };
  let s = 0;
  for (let t = 0; t < f.trees; t++) s += walk(f.treeStart[t]);
  return s;
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

test("TreeSHAP equals brute-force Shapley values on a small model", async () => {
  const train = syntheticTable(800, 4, 4);
  const m = await trainGbdt(
    train,
    { trees: 8, maxDepth: 4, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const M = 4;
  for (let r = 0; r < 25; r++) {
    const x = train.values.subarray(r * M, (r + 1) * M);
    const { bias, values } = m.contributions64(x);
    for (let i = 0; i < M; i++) {
      let phi = 0;
      for (let mask = 0; mask < 1 << M; mask++) {
        if (mask & (1 << i)) continue;
        const size = popcount(mask);
        const w = (factorial(size) * factorial(M - size - 1)) / factorial(M);
        const withI = condExpectation(m.forest, x, (f) => ((mask | (1 << i)) & (1 << f)) !== 0);
        const without = condExpectation(m.forest, x, (f) => (mask & (1 << f)) !== 0);
        phi += w * (withI - without);
      }
      assert.ok(
        Math.abs(phi - values[i]) < 1e-9,
        `row ${r} feature ${i}: ${values[i]} vs brute force ${phi}`,
      );
    }
    const expected = m.header.baseScore + condExpectation(m.forest, x, () => false);
    assert.ok(Math.abs(bias - expected) < 1e-9);
  }
});

test("contributions + bias = raw score for every row", async () => {
  const train = syntheticTable(300, 10, 6);
  const m = await trainGbdt(
    train,
    { trees: 40, maxDepth: 6, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const raw = m.predictRaw(train.values, train.rows);
  for (let r = 0; r < train.rows; r++) {
    const row = train.values.subarray(r * 10, (r + 1) * 10);
    const { bias, values } = m.contributions64(row);
    let s = bias;
    for (const v of values) s += v;
    assert.ok(Math.abs(s - raw[r]) < 1e-6, `row ${r}: ${s} vs ${raw[r]}`);
    const c32 = m.contributions(row);
    assert.equal(c32.values.length, 10);
    assert.equal(c32.bias, bias);
  }
});

function popcount(n: number): number {
  let c = 0;
  for (let v = n; v; v &= v - 1) c++;
  return c;
}

test("leaf tables give Algorithm 2's values; deep trees and small budgets fall back", async () => {
  const M = 12;
  const train = syntheticTable(600, M, 11);
  // NaNs exercise the default directions.
  for (let i = 0; i < train.values.length; i += 37) train.values[i] = Number.NaN;
  for (const maxDepth of [3, 6, 9]) {
    const m = await trainGbdt(
      train,
      { trees: 30, maxDepth, earlyStoppingRounds: 0 },
      { threads: 1 },
    );
    const tables = new TreeShap(m.forest);
    const alg2 = new TreeShap(m.forest, { maxTableEntries: 0 });
    const capped = new TreeShap(m.forest, { maxTableDepth: 5 });
    const half = new TreeShap(m.forest, { maxTableEntries: tables.tableEntries / 2 });
    assert.equal(tables.tableTrees, 30, `depth ${maxDepth}: every tree has tables`);
    assert.equal(alg2.tableTrees, 0);
    if (maxDepth > 5) assert.ok(capped.tableTrees < 30, "paths deeper than 5 fall back");
    assert.ok(half.tableTrees > 0 && half.tableTrees < 30, "trees past the budget fall back");
    const raw = m.predictRaw(train.values, train.rows);
    // Many rows at once (tree by tree) = row by row, for table and Algorithm 2 trees alike.
    const offsets = Array.from({ length: 60 }, (_, r) => r * M);
    for (const shap of [tables, half]) {
      const many = new Float64Array(60 * (M + 2));
      shap.explainRows(train.values, offsets, many, M + 2, 0.5);
      for (let r = 0; r < 60; r++) {
        const one = new Float64Array(M);
        shap.explain(train.values, r * M, one, 0.5);
        for (let j = 0; j < M; j++) assert.equal(many[r * (M + 2) + j], one[j]);
        assert.equal(many[r * (M + 2) + M], 0);
      }
    }
    for (let r = 0; r < 60; r++) {
      const ref = new Float64Array(M);
      alg2.explain(train.values, r * M, ref, 0.5);
      for (const shap of [tables, capped, half]) {
        const phi = new Float64Array(M);
        shap.explain(train.values, r * M, phi, 0.5);
        for (let j = 0; j < M; j++) {
          assert.ok(
            Math.abs(phi[j] - ref[j]) < 1e-9 * (1 + Math.abs(ref[j])),
            `depth ${maxDepth} row ${r} feature ${j}: ${phi[j]} vs Algorithm 2 ${ref[j]}`,
          );
        }
      }
      let s = m.header.baseScore + tables.expectedValue(1);
      const phi = new Float64Array(M);
      tables.explain(train.values, r * M, phi, 1);
      for (const v of phi) s += v;
      assert.ok(Math.abs(s - raw[r]) < 1e-6, `row ${r}: ${s} vs ${raw[r]}`);
    }
  }
});

test("a feature subset gives the leaf tables' values for its features and leaves the rest", async () => {
  const M = 12;
  const train = syntheticTable(600, M, 5);
  for (let i = 0; i < train.values.length; i += 41) train.values[i] = Number.NaN;
  const m = await trainGbdt(
    train,
    { trees: 30, maxDepth: 6, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const shap = new TreeShap(m.forest);
  const want = Uint8Array.from({ length: M }, (_, j) => (j % 3 === 0 || j === 7 ? 1 : 0));
  const subset = shap.subset(want);
  assert.equal(subset.trees, 30);
  assert.ok(subset.entries > 0);
  // A budget for part of the forest: the other trees go the leaf-table way, same values.
  const part = shap.subset(want, Math.floor(subset.entries / 2));
  assert.ok(part.trees > 0 && part.trees < 30, `${part.trees} trees within half the budget`);
  const rows = 40;
  const offsets = Array.from({ length: rows }, (_, r) => (r * 7) % train.rows).map((r) => r * M);
  const full = new Float64Array(rows * M);
  shap.explainRows(train.values, offsets, full, M, 0.7);
  for (const s of [subset, part]) {
    const got = new Float64Array(rows * M).fill(5);
    shap.explainRows(train.values, offsets, got, M, 0.7, s);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < M; j++) {
        const g = got[r * M + j];
        if (want[j] === 0) assert.equal(g, 5, "features outside the subset are left as they were");
        else {
          const f = full[r * M + j];
          assert.ok(
            Math.abs(g - 5 - f) < 1e-6 * (1 + Math.abs(f)),
            `row ${r} feature ${j}: ${g - 5} vs ${f}`,
          );
        }
      }
    }
  }
  // A subset of another forest is refused.
  const other = new TreeShap(m.forest.slice(10));
  assert.throws(() => other.explainRows(train.values, [0], new Float64Array(M), M, 1, subset));
});
