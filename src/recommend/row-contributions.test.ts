import assert from "node:assert/strict";
import { test } from "node:test";
import { syntheticTable, trainForest, trainGbdt } from "../models/index.js";
import { rowContributions, userColumns } from "./row-contributions.js";

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

test("rowContributions on rows sharing columns (one user's list): shared-column tables, same values; rows that do not share fall back", async () => {
  const M = 8;
  const t = syntheticTable(500, M, 5);
  const gbdt = await trainGbdt(
    t,
    { trees: 25, maxDepth: 6, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const features = Uint8Array.from({ length: M }, (_, j) => (j >= 3 ? 1 : 0));
  const shared = Uint8Array.from({ length: M }, (_, j) => (j < 3 || j === 5 ? 1 : 0));
  // rows 0..39 with the shared columns of row 11
  const rows = t.values.slice(0, 40 * M);
  for (let r = 0; r < 40; r++) for (const j of [0, 1, 2, 5]) rows[r * M + j] = t.values[11 * M + j];
  const which = [4, 30, 11, 0, 39];
  const plain = rowContributions(gbdt, rows, M, which, features);
  const viaShared = rowContributions(gbdt, rows, M, which, features, shared);
  // the same table entries in the same order: the same float32 values
  assert.deepEqual(viaShared, plain);
  which.forEach((r, i) => {
    const want = gbdt.contributions(rows.subarray(r * M, (r + 1) * M));
    for (let j = 0; j < M; j++) {
      const w = features[j] === 1 ? want.values[j] : 0;
      assert.ok(Math.abs(viaShared[i].values[j] - w) < 1e-6, `row ${r} feature ${j}`);
    }
  });
  // rows that differ in a "shared" column: the plain tables, still the same values
  const mixed = rowContributions(gbdt, t.values, M, which, features, shared);
  which.forEach((r, i) => {
    const want = gbdt.contributions(t.values.subarray(r * M, (r + 1) * M));
    for (let j = 0; j < M; j++) {
      const w = features[j] === 1 ? want.values[j] : 0;
      assert.ok(Math.abs(mixed[i].values[j] - w) < 1e-6, `mixed row ${r} feature ${j}`);
    }
  });
});

test("userColumns: the user block, demographics and the request time, not the interactions", () => {
  const names = ["user_mean", "user_pref_drama", "movie_mean_shrunk", "genre_drama"];
  names.push("user_genre_match", "rating_hour", "rating_weekday", "occupation_writer", "mf_pred");
  assert.deepEqual([...userColumns(names)], [1, 1, 0, 0, 0, 1, 1, 1, 0]);
});
