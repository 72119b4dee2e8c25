import assert from "node:assert/strict";
import { test } from "node:test";
import { trainGbdt } from "./gbdt.js";
import type { PackedForest } from "./packed-tree.js";
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
