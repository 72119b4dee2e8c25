import assert from "node:assert/strict";
import { test } from "node:test";
import { syntheticTable, trainForest, trainGbdt } from "../models/index.js";
import { rowContributions } from "./row-contributions.js";

test("rowContributions equals LikeModel.contributions row by row (gbdt batch path, forest)", async () => {
  const M = 8;
  const t = syntheticTable(400, M, 3);
  const gbdt = await trainGbdt(
    t,
    { trees: 25, maxDepth: 5, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const rf = await trainForest(t, { trees: 10, maxDepth: 6 }, { threads: 1 });
  const which = [7, 0, 123, 399, 42];
  for (const model of [gbdt, rf]) {
    const got = rowContributions(model, t.values, M, which);
    assert.equal(got.length, which.length);
    which.forEach((r, i) => {
      const want = model.contributions(t.values.subarray(r * M, (r + 1) * M));
      assert.ok(Math.abs(got[i].bias - want.bias) < 1e-9, `${model.family} bias`);
      for (let j = 0; j < M; j++) {
        assert.ok(
          Math.abs(got[i].values[j] - want.values[j]) < 1e-6,
          `${model.family} row ${r} feature ${j}: ${got[i].values[j]} vs ${want.values[j]}`,
        );
      }
    });
  }
});

test("rowContributions with a feature set: those features' values, 0 for the others", async () => {
  const M = 8;
  const t = syntheticTable(400, M, 4);
  const gbdt = await trainGbdt(
    t,
    { trees: 25, maxDepth: 6, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const which = [3, 250, 17];
  const features = Uint8Array.from({ length: M }, (_, j) => (j >= 4 ? 1 : 0));
  const got = rowContributions(gbdt, t.values, M, which, features);
  which.forEach((r, i) => {
    const want = gbdt.contributions(t.values.subarray(r * M, (r + 1) * M));
    assert.ok(Math.abs(got[i].bias - want.bias) < 1e-9);
    for (let j = 0; j < M; j++) {
      const w = features[j] === 1 ? want.values[j] : 0;
      assert.ok(
        Math.abs(got[i].values[j] - w) < 1e-6,
        `row ${r} feature ${j}: ${got[i].values[j]} vs ${w}`,
      );
    }
  });
});
