/**
 * The pipeline on the real ml-latest-small (../shared/data, never copied into the repo): split
 * counts, finite features, and a sanity signal — out-of-fold movie means rank test likes well.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../data/index.js";
import { likeRate, splitDataset } from "../splits/index.js";
import { buildFeatures } from "./build-features.js";
import { featuresForPairs } from "./features-for-pairs.js";

// dist/src/features -> project root
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const dir = resolve(root, "..", "shared", "data", "ml-latest-small");

function auc(scores: Float32Array | number[], labels: Uint8Array): number {
  const idx = Array.from(labels, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let pos = 0;
  for (let r = 0; r < idx.length; ) {
    let e = r;
    while (e + 1 < idx.length && scores[idx[e + 1]] === scores[idx[r]]) e++;
    for (let q = r; q <= e; q++)
      if (labels[idx[q]]) {
        rankSum += (r + e) / 2 + 1;
        pos++;
      }
    r = e + 1;
  }
  const neg = labels.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

test("ml-latest-small: stratified split and all features", {
  skip: !existsSync(dir) && "no ../shared/data/ml-latest-small",
}, async () => {
  const { dataset } = await loadDataset(dir);
  const split = splitDataset(dataset, { seed: 42 });
  const n = dataset.ratings.rating.length;
  assert.equal(n, 100836);
  const c = split.counts;
  assert.equal(c.train + c.val + c.test + c.droppedVal + c.droppedTest, n);
  assert.ok(Math.abs(likeRate(dataset, split.train, 3.5) - 0.612) < 0.005);
  const { matrices, spec, state } = await buildFeatures(dataset, split);
  for (const m of Object.values(matrices)) assert.ok(m.values.every(Number.isFinite));
  assert.equal(spec.names.length, matrices.train.cols);
  const col = (name: string) => spec.names.indexOf(name);
  const t = matrices.test;
  const score = (names: string[]) =>
    Float32Array.from({ length: t.rows }, (_, j) =>
      names.reduce((s, nm) => s + t.values[j * t.cols + col(nm)], 0),
    );
  const a = auc(score(["movie_mean_shrunk", "user_mean"]), t.labels);
  assert.ok(a > 0.7 && a < 0.85, `user+movie mean test AUC ${a}`);
  // Out-of-fold training rows are not inflated: the same score's AUC on train is no better.
  const tr = matrices.train;
  const trScore = Float32Array.from(
    { length: tr.rows },
    (_, j) =>
      tr.values[j * tr.cols + col("movie_mean_shrunk")] + tr.values[j * tr.cols + col("user_mean")],
  );
  const aTrain = auc(trScore, tr.labels);
  assert.ok(aTrain < a + 0.02, `train AUC ${aTrain} vs test ${a}`);
  const served = featuresForPairs(
    spec,
    state,
    t.user[10],
    Int32Array.of(t.movie[10]),
    t.timestamp[10],
  );
  assert.deepEqual(served.values, t.values.subarray(10 * t.cols, 11 * t.cols));
});
