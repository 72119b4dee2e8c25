import assert from "node:assert/strict";
import { test } from "node:test";
import { trainForest } from "./random-forest.js";
import { rfFamily } from "./rf-family.js";
import { rocAuc, syntheticTable } from "./synthetic-table.js";
import type { TreeModel } from "./tree-model.js";

test("forest leaves are class probabilities and predictions average them", async () => {
  const train = syntheticTable(600, 5, 1);
  const m = await trainForest(train, { trees: 7, maxDepth: 4 }, { seed: 2, threads: 1 });
  assert.equal(m.trees, 7);
  for (let i = 0; i < m.forest.nodes; i++) {
    if (m.forest.feature[i] < 0) assert.ok(m.forest.value[i] >= 0 && m.forest.value[i] <= 1);
  }
  const row = train.values.subarray(0, 5);
  let s = 0;
  for (let t = 0; t < 7; t++) s += m.forest.value[m.forest.leaf(t, row, 0)];
  assert.ok(Math.abs(m.predict(row, 1)[0] - s / 7) < 1e-6);
});

test("an unlimited-depth tree without bootstrap fits the training rows exactly", async () => {
  const train = syntheticTable(300, 5, 3);
  const m = await trainForest(
    train,
    {
      trees: 1,
      maxDepth: 0,
      maxFeatures: "all",
      bootstrap: "no",
      sampleFraction: 1,
      minRowsPerLeaf: 1,
    },
    { threads: 1 },
  );
  const p = m.predict(train.values, train.rows);
  // rows that share every feature value could disagree; the synthetic rows are all distinct
  for (let r = 0; r < train.rows; r++) assert.equal(p[r], train.labels[r], `row ${r}`);
});

test("out-of-bag AUC is close to the held-out AUC", async () => {
  // one draw of the generator, split in two: both halves come from the same distribution
  const all = syntheticTable(8000, 8, 7);
  const half = (a: number, b: number) => ({
    values: all.values.slice(a * 8, b * 8),
    rows: b - a,
    cols: 8,
    labels: all.labels.slice(a, b),
  });
  const train = half(0, 4000);
  const heldOut = half(4000, 8000);
  const m = await trainForest(train, { trees: 60, maxDepth: 10 }, { seed: 1, threads: 1 });
  const held = rocAuc(m.predict(heldOut.values, heldOut.rows), heldOut.labels);
  const oob = m.info.oobAuc as number;
  assert.ok(held > 0.8, `held-out AUC ${held}`);
  // OOB averages ~37% of the trees and is known to run slightly pessimistic
  assert.ok(Math.abs(oob - held) < 0.03, `OOB ${oob} vs held-out ${held}`);
  assert.ok((m.info.oobRows as number) > 3900);
});

test("thread count does not change the forest or its OOB score", async () => {
  const train = syntheticTable(2000, 10, 4);
  const cfg = { trees: 9, maxDepth: 10 };
  const one = await trainForest(train, cfg, { seed: 5, threads: 1 });
  const three = await trainForest(train, cfg, { seed: 5, threads: 3 });
  assert.deepEqual(three.serialize(), one.serialize());
  assert.equal(three.info.oobAuc, one.info.oobAuc);
});

test("forest serialisation round trip is bit-identical", async () => {
  const train = syntheticTable(800, 6, 9);
  const m = await trainForest(train, { trees: 5 }, { threads: 1 });
  const back = rfFamily.load(m.serialize()) as TreeModel;
  assert.deepEqual(back.predict(train.values, train.rows), m.predict(train.values, train.rows));
  assert.throws(() => rfFamily.load(new Uint8Array(8)), /ERR_MODEL_FORMAT|not a cinerank/);
});

test("forest contributions sum to logit(p) and keep the probability-scale signs", async () => {
  const train = syntheticTable(800, 6, 10);
  const m = await trainForest(train, { trees: 10, maxDepth: 6 }, { threads: 1 });
  for (let r = 0; r < 30; r++) {
    const row = train.values.subarray(r * 6, (r + 1) * 6);
    const p = m.predict(row, 1)[0];
    const c = m.contributions(row);
    let s = c.bias;
    for (const v of c.values) s += v;
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
    assert.ok(Math.abs(s - Math.log(q / (1 - q))) < 1e-3 * Math.max(1, Math.abs(s)), `row ${r}`);
    const exact = m.contributions64(row);
    let ps = exact.bias;
    for (const v of exact.values) ps += v;
    assert.ok(Math.abs(ps - p) < 1e-6, "probability-scale TreeSHAP sums to p");
  }
});
