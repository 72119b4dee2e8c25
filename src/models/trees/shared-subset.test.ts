import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { trainGbdt } from "./gbdt.js";
import { TreeShap } from "./shap.js";
import { syntheticTable } from "./synthetic-table.js";

const M = 12;
/** Columns the rows share (3 holds NaNs) and columns wanted (0 and 3 are both). */
const shared = Uint8Array.from({ length: M }, (_, j) => ([0, 1, 2, 3, 5, 8].includes(j) ? 1 : 0));
const want = Uint8Array.from({ length: M }, (_, j) => (j % 3 === 0 || j === 7 ? 1 : 0));

/** `n` rows of the table (from `at`) copied with the shared columns of row `from` everywhere. */
function sharingRows(values: Float32Array, rows: number, n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const from = rng.int(rows);
  const out = new Float32Array(n * M);
  for (let r = 0; r < n; r++) {
    const src = rng.int(rows);
    for (let j = 0; j < M; j++) out[r * M + j] = values[(shared[j] ? from : src) * M + j];
  }
  return out;
}

test("shared-column tables give FeatureSubset's values (bit for bit) and Algorithm 2's to 1e-6", async () => {
  const train = syntheticTable(800, M, 5);
  for (let i = 0; i < train.values.length; i += 41) train.values[i] = Number.NaN;
  const models = [
    await trainGbdt(train, { trees: 30, maxDepth: 6, earlyStoppingRounds: 0 }, { threads: 1 }),
    await trainGbdt(
      train,
      { trees: 20, growPolicy: "lossguide", maxDepth: 0, maxLeaves: 24, earlyStoppingRounds: 0 },
      { threads: 1 },
    ),
  ];
  for (const m of models) {
    const shap = new TreeShap(m.forest);
    const alg2 = new TreeShap(m.forest, { maxTableEntries: 0 });
    const plain = shap.subset(want);
    const sub = shap.sharedSubset(want, shared);
    assert.equal(sub.entries, plain.entries);
    // the same tables with the per-row loops in JavaScript rather than WebAssembly
    const js = shap.sharedSubset(want, shared);
    js.useWasm = false;
    // a budget for part of the forest: the other trees go the leaf-table way
    const part = shap.sharedSubset(want, shared, Math.floor(sub.entries / 2));
    const partTrees = part.grouped.reduce((a, b) => a + b, 0);
    assert.ok(partTrees > 0 && partTrees < m.forest.trees, `${partTrees} trees in half the budget`);
    for (let trial = 0; trial < 14; trial++) {
      const n = trial === 13 ? 70 : 1 + (trial % 11); // 70: more rows than the kernel takes
      const values = sharingRows(train.values, train.rows, n, trial);
      const offsets = Array.from({ length: n }, (_, r) => r * M);
      assert.equal(sub.accepts(values, offsets), true);
      const ref = new Float64Array(n * M);
      shap.explainRows(values, offsets, ref, M, 0.7, plain);
      const exact = new Float64Array(n * M);
      alg2.explainRows(values, offsets, exact, M, 0.7);
      for (const s of [sub, js, part]) {
        const got = new Float64Array(n * M).fill(5);
        shap.explainRows(values, offsets, got, M, 0.7, s);
        if (s === js) assert.equal(js.lastWasm, false);
        if (s === sub) assert.equal(sub.lastWasm, n <= 64, "WebAssembly up to 64 rows");
        for (let i = 0; i < n * M; i++) {
          if (want[i % M] === 0) {
            assert.equal(got[i], 5, "features outside the subset are left as they were");
            continue;
          }
          if (s !== part) assert.equal(got[i], 5 + ref[i], `trial ${trial} entry ${i}`);
          const d = Math.abs(got[i] - 5 - exact[i]);
          assert.ok(d < 1e-6 * (1 + Math.abs(exact[i])), `${got[i] - 5} vs ${exact[i]}`);
        }
      }
    }
  }
});

test("shared-column tables accept only rows that share the columns (NaN equals NaN)", async () => {
  const train = syntheticTable(300, M, 6);
  const m = await trainGbdt(
    train,
    { trees: 5, maxDepth: 4, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const sub = new TreeShap(m.forest).sharedSubset(want, shared);
  const values = sharingRows(train.values, train.rows, 4, 1);
  const offsets = [0, M, 2 * M, 3 * M];
  for (let r = 0; r < 4; r++) values[r * M + 3] = Number.NaN;
  assert.equal(sub.accepts(values, offsets), true);
  assert.equal(sub.accepts(values, [2 * M]), true);
  values[2 * M + 5] += 1;
  assert.equal(sub.accepts(values, offsets), false);
  values[2 * M + 5] = values[5];
  values[M + 4] += 1; // not a shared column
  assert.equal(sub.accepts(values, offsets), true);
});

test("shared-column tables with every feature wanted (groups of more than four) match the JavaScript loops bit for bit", async () => {
  const train = syntheticTable(600, M, 7);
  const m = await trainGbdt(
    train,
    { trees: 12, maxDepth: 6, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const all = new Uint8Array(M).fill(1);
  const shap = new TreeShap(m.forest);
  const sub = shap.sharedSubset(all, shared);
  const js = shap.sharedSubset(all, shared);
  js.useWasm = false;
  const exact = new TreeShap(m.forest, { maxTableEntries: 0 });
  for (const n of [3, 10, 13]) {
    const values = sharingRows(train.values, train.rows, n, 40 + n);
    const offsets = Array.from({ length: n }, (_, r) => r * M);
    const a = new Float64Array(n * M);
    const b = new Float64Array(n * M);
    const c = new Float64Array(n * M);
    shap.explainRows(values, offsets, a, M, 1, sub);
    shap.explainRows(values, offsets, b, M, 1, js);
    exact.explainRows(values, offsets, c, M, 1);
    assert.equal(sub.lastWasm, true);
    assert.deepEqual(a, b);
    for (let i = 0; i < n * M; i++) assert.ok(Math.abs(a[i] - c[i]) < 1e-6 * (1 + Math.abs(c[i])));
  }
});
