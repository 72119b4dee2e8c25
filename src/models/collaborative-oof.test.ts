// Out-of-fold collaborative features (MF, item-kNN) follow the feature pipeline's protocol: a
// training row's CF features come from a fit on the other folds only, so changing that row's own
// rating must leave them bit-identical (while rows of other folds do move).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../core/index.js";
import { type Dataset, datasetFromRecords } from "../data/index.js";
import { buildFeatures, type PairFeatureSource } from "../features/index.js";
import { assignFolds, type Split, splitDataset } from "../splits/index.js";
import { mfFeatureSource } from "./factorization/index.js";
import { knnFeatureSource } from "./neighbors/index.js";

function fixture(): Dataset {
  const rng = new Rng(4);
  const nUsers = 60;
  const nMovies = 40;
  const pu = Array.from({ length: nUsers }, () => [rng.normal(), rng.normal()]);
  const qi = Array.from({ length: nMovies }, () => [rng.normal(), rng.normal()]);
  const ratings: { userId: number; movieId: number; rating: number; timestamp: number }[] = [];
  for (let u = 0; u < nUsers; u++) {
    for (let m = 0; m < nMovies; m++) {
      if (rng.next() > 0.45) continue;
      const r = 3.3 + 0.6 * (pu[u][0] * qi[m][0] + pu[u][1] * qi[m][1]) + 0.3 * rng.normal();
      const rating = Math.min(5, Math.max(0.5, Math.round(r * 2) / 2));
      ratings.push({ userId: u + 1, movieId: m + 1, rating, timestamp: 1e9 + ratings.length });
    }
  }
  return datasetFromRecords({
    movies: Array.from({ length: nMovies }, (_, m) => ({
      movieId: m + 1,
      title: `m${m}`,
      genres: [],
    })),
    ratings,
  });
}

/** The feature pipeline's OOF protocol for one source: features of every training row. */
async function oofFeatures(
  ds: Dataset,
  split: Split,
  fold: Int8Array,
  src: PairFeatureSource,
): Promise<Float32Array> {
  const r = ds.ratings;
  const w = src.names.length;
  const out = new Float32Array(split.train.length * w);
  for (let f = 0; f < 5; f++) {
    const fitRows = split.train.filter((i) => fold[i] !== f);
    const outPos = [...split.train.keys()].filter((j) => fold[split.train[j]] === f);
    const scorer = await src.fit(
      {
        user: Int32Array.from(fitRows, (i) => r.user[i]),
        movie: Int32Array.from(fitRows, (i) => r.movie[i]),
        rating: Float32Array.from(fitRows, (i) => r.rating[i]),
        timestamp: Float64Array.from(fitRows, (i) => r.timestamp[i]),
        nUsers: ds.users.size,
        nMovies: ds.movies.size,
      },
      { seed: 42, threshold: 3.5, fold: f },
    );
    const tmp = new Float32Array(outPos.length * w);
    scorer.scoreRows(
      Int32Array.from(outPos, (j) => r.user[split.train[j]]),
      Int32Array.from(outPos, (j) => r.movie[split.train[j]]),
      tmp,
      w,
      0,
    );
    outPos.forEach((j, q) => {
      for (let c = 0; c < w; c++) out[j * w + c] = tmp[q * w + c];
    });
  }
  return out;
}

for (const src of [
  mfFeatureSource({ factors: 4, iterations: 5 }, { threads: 1 }),
  knnFeatureSource({ neighbours: 10, shrinkage: 5 }, { threads: 1 }),
]) {
  test(`OOF ${src.name} features of a training row ignore that row's own rating`, async () => {
    const ds = fixture();
    const split = splitDataset(ds, { seed: 42 });
    const fold = assignFolds(split, 5, 42);
    const before = await oofFeatures(ds, split, fold, src);
    const w = src.names.length;
    assert.ok(before.every(Number.isFinite));
    for (const j of [0, 7, 31]) {
      const i = split.train[j];
      const old = ds.ratings.rating[i];
      ds.ratings.rating[i] = old >= 3 ? 0.5 : 5;
      const after = await oofFeatures(ds, split, fold, src);
      ds.ratings.rating[i] = old;
      assert.deepEqual(after.subarray(j * w, (j + 1) * w), before.subarray(j * w, (j + 1) * w));
      // the changed rating does reach rows of the other folds (the check above can fail)
      let moved = 0;
      for (let q = 0; q < split.train.length; q++) {
        if (fold[split.train[q]] === fold[i]) continue;
        for (let c = 0; c < w; c++) if (after[q * w + c] !== before[q * w + c]) moved++;
      }
      assert.ok(moved > 0, `changing row ${j} moved no other-fold feature`);
    }
  });
}

for (const make of [
  () => mfFeatureSource({ factors: 4, iterations: 5 }, { threads: 1 }),
  () => knnFeatureSource({ neighbours: 10, shrinkage: 5 }, { threads: 1 }),
]) {
  const name = make().name;
  test(`buildFeatures with the ${name} source: a training row's CF columns ignore its own rating`, async () => {
    const ds = fixture();
    const split = splitDataset(ds, { seed: 42 });
    const src = make();
    const opts = { pairSources: [src], embeddingDim: 0 };
    const before = await buildFeatures(ds, split, opts);
    const { names, scaler } = before.spec;
    const cols = src.names.map((n) => names.indexOf(n));
    assert.ok(
      cols.every((c) => c >= 0),
      `columns ${src.names.join(", ")} in ${names.join(", ")}`,
    );
    // undo the (training-fitted) scaler: it moves with any change, the CF values must not
    const raw = (b: typeof before, row: number, c: number) =>
      b.matrices.train.values[row * b.matrices.train.cols + c] * b.spec.scaler.std[c] +
      b.spec.scaler.mean[c];
    const j = 5;
    const i = split.train[j];
    const old = ds.ratings.rating[i];
    ds.ratings.rating[i] = old >= 3 ? 0.5 : 5;
    const after = await buildFeatures(ds, split, opts);
    for (const c of cols) {
      assert.ok(
        Math.abs(raw(after, j, c) - raw(before, j, c)) < 1e-4,
        `${names[c]} of row ${j} moved`,
      );
    }
    let moved = 0;
    const folds = before.trainFolds;
    for (let q = 0; q < split.train.length; q++) {
      if (folds[q] === folds[j]) continue;
      for (const c of cols) if (Math.abs(raw(after, q, c) - raw(before, q, c)) > 1e-3) moved++;
    }
    assert.ok(moved > 0, "the changed rating reached no other fold's CF features");
    assert.ok(scaler.std.length === names.length);
  });
}

test("MF and kNN scorers: serving path equals training path, live profiles fold in, bytes round-trip", async () => {
  const ds = fixture();
  const r = ds.ratings;
  const train = { ...r, nUsers: ds.users.size, nMovies: ds.movies.size };
  for (const src of [
    mfFeatureSource({ factors: 4, iterations: 5 }, { threads: 1 }),
    knnFeatureSource({ neighbours: 10 }, { threads: 1 }),
  ]) {
    const scorer = await src.fit(train, { seed: 1, threshold: 3.5, fold: -1 });
    const movies = Int32Array.from({ length: ds.movies.size }, (_, m) => m);
    const users = new Int32Array(movies.length).fill(3);
    const a = new Float32Array(movies.length * 2);
    const b = new Float32Array(movies.length * 2);
    scorer.scoreRows(users, movies, a, 2, 0);
    scorer.scoreUser({ index: 3 }, movies, b, 2, 0);
    assert.deepEqual(b, a);
    const back = src.load(scorer.serialize());
    const c = new Float32Array(movies.length * 2);
    back.scoreRows(users, movies, c, 2, 0);
    assert.deepEqual(c, a);
    // a live profile equal to user 3's fitted ratings scores (almost) like the fitted user
    const mine = [...r.user.keys()].filter((i) => r.user[i] === 3);
    const live = new Float32Array(movies.length * 2);
    scorer.scoreUser(
      {
        index: 3,
        ratings: {
          movie: Int32Array.from(mine, (i) => r.movie[i]),
          rating: Float32Array.from(mine, (i) => r.rating[i]),
        },
      },
      movies,
      live,
      2,
      0,
    );
    let worst = 0;
    for (let m = 0; m < movies.length; m++)
      worst = Math.max(worst, Math.abs(live[2 * m] - a[2 * m]));
    // kNN reads the same ratings either way; MF's fold-in solves the user against the final
    // movie factors, which moved after the last ALS user step (measured: 0.05 here)
    assert.ok(
      worst < (src.name === "mf" ? 0.15 : 1e-5),
      `${src.name}: live profile off by ${worst}`,
    );
    // unknown user: finite fallbacks
    const unk = new Float32Array(movies.length * 2);
    scorer.scoreUser({ index: -1 }, movies, unk, 2, 0);
    assert.ok(unk.every(Number.isFinite));
  }
});
