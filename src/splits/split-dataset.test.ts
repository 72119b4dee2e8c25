import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assignFolds } from "./assign-folds.js";
import { writeSplitCsv } from "./export-split.js";
import { randomDataset } from "./random-dataset.js";
import { PART_DROPPED, PART_TEST, PART_TRAIN, PART_VAL } from "./split.js";
import { likeRate, splitDataset } from "./split-dataset.js";

const ds = randomDataset({ users: 300, movies: 200, perUser: 40, seed: 5 });
const n = ds.ratings.rating.length;

test("stratified split: sizes follow the ratios and every part keeps the like-rate within 0.5 pp", () => {
  const s = splitDataset(ds, { kind: "stratified", seed: 42 });
  const kept = s.counts.train + s.counts.val + s.counts.test;
  assert.equal(kept + s.counts.droppedVal + s.counts.droppedTest, n);
  assert.ok(Math.abs(s.counts.train / n - 0.7) < 0.002);
  assert.ok(Math.abs((s.counts.val + s.counts.droppedVal) / n - 0.15) < 0.002);
  const all = likeRate(
    ds,
    Int32Array.from({ length: n }, (_, i) => i),
    3.5,
  );
  for (const rows of [s.train, s.val, s.test]) {
    assert.ok(
      Math.abs(likeRate(ds, rows, 3.5) - all) < 0.005,
      `like-rate ${likeRate(ds, rows, 3.5)} vs ${all}`,
    );
  }
});

test("splits are deterministic for a seed and change with it", () => {
  for (const kind of ["stratified", "user", "temporal"] as const) {
    const a = splitDataset(ds, { kind, seed: 7 });
    const b = splitDataset(ds, { kind, seed: 7 });
    assert.deepEqual(a.part, b.part, kind);
  }
  const a = splitDataset(ds, { kind: "stratified", seed: 7 });
  const c = splitDataset(ds, { kind: "stratified", seed: 8 });
  assert.notDeepEqual(a.part, c.part);
});

test("users-in-train rule: no kept val/test row belongs to a user without training rows", () => {
  for (const kind of ["stratified", "user", "temporal"] as const) {
    const s = splitDataset(ds, { kind, seed: 3 });
    const inTrain = new Set<number>();
    for (const i of s.train) inTrain.add(ds.ratings.user[i]);
    for (const i of [...s.val, ...s.test]) assert.ok(inTrain.has(ds.ratings.user[i]), kind);
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      if (s.part[i] === PART_DROPPED) {
        dropped++;
        assert.ok(!inTrain.has(ds.ratings.user[i]));
      }
    }
    assert.equal(dropped, s.counts.droppedVal + s.counts.droppedTest);
    if (kind === "user") assert.equal(dropped, 0);
  }
});

test("per-user split cuts each user's ratings about 70/15/15", () => {
  const s = splitDataset(ds, { kind: "user", seed: 1 });
  const per = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const u = ds.ratings.user[i];
    const c = per.get(u) ?? [0, 0, 0];
    c[s.part[i]]++;
    per.set(u, c);
  }
  for (const [, c] of per) {
    const tot = c[0] + c[1] + c[2];
    assert.ok(c[0] >= 1);
    assert.ok(Math.abs(c[0] - 0.7 * tot) <= 1, `${c}`);
  }
});

test("temporal split: every training rating is no later than every val rating, val no later than test", () => {
  const s = splitDataset(ds, { kind: "temporal" });
  const ts = ds.ratings.timestamp;
  let maxTrain = -Infinity;
  let minVal = Infinity;
  let maxVal = -Infinity;
  let minTest = Infinity;
  let nVal = 0;
  let nTest = 0;
  for (let i = 0; i < n; i++) {
    const p = s.part[i];
    if (p === PART_TRAIN) maxTrain = Math.max(maxTrain, ts[i]);
    if (p === PART_VAL) {
      nVal++;
      minVal = Math.min(minVal, ts[i]);
      maxVal = Math.max(maxVal, ts[i]);
    }
    if (p === PART_TEST) {
      minTest = Math.min(minTest, ts[i]);
      nTest++;
    }
  }
  assert.ok(maxTrain <= minVal && maxVal <= minTest);
  assert.equal(s.counts.train, Math.round(n * 0.7));
  assert.ok(s.counts.droppedVal + s.counts.droppedTest > 0, "the fixture has late-starting users");
  assert.ok(nTest > 0 && nVal > 0);
});

test("temporal split breaks timestamp ties by rating index", () => {
  const ts = new Float64Array(10).fill(5);
  const fake = {
    ...ds,
    ratings: {
      ...ds.ratings,
      timestamp: ts,
      user: new Int32Array(10),
      movie: new Int32Array(10),
      rating: new Float32Array(10).fill(4),
    },
  };
  const s = splitDataset(fake, { kind: "temporal" });
  assert.deepEqual([...s.part], [0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
});

test("bad options throw ERR_INVALID_ARGUMENT", () => {
  assert.throws(() => splitDataset(ds, { ratios: [0.5, 0.2, 0.2] }), {
    code: "ERR_INVALID_ARGUMENT",
  });
  // @ts-expect-error: an unknown kind from the command line
  assert.throws(() => splitDataset(ds, { kind: "random" }), { code: "ERR_INVALID_ARGUMENT" });
});

test("folds: balanced, deterministic, training rows only", () => {
  const s = splitDataset(ds, { seed: 2 });
  const f = assignFolds(s, 5, 9);
  assert.deepEqual(f, assignFolds(s, 5, 9));
  const sizes = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (s.part[i] === PART_TRAIN) sizes[f[i]]++;
    else assert.equal(f[i], -1);
  }
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
});

test("writeSplitCsv writes every rating with its part", async () => {
  const s = splitDataset(ds, { seed: 4 });
  const path = join(tmpdir(), `cinerank-split-${process.pid}.csv`);
  await writeSplitCsv(path, ds, s);
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  assert.equal(lines[0], "userId,movieId,timestamp,part");
  assert.equal(lines.length, n + 1);
  const [u, m, t, p] = lines[1].split(",");
  assert.equal(Number(u), ds.users.id(ds.ratings.user[0]));
  assert.equal(Number(m), ds.movies.id(ds.ratings.movie[0]));
  assert.equal(Number(t), ds.ratings.timestamp[0]);
  assert.equal(p, ["train", "val", "test", "dropped"][s.part[0]]);
  assert.equal(lines.filter((l) => l.endsWith(",test")).length, s.counts.test);
});
