import assert from "node:assert/strict";
import { test } from "node:test";
import { type Dataset, datasetFromRecords } from "../data/index.js";
import { PART_TRAIN, type Split, splitDataset } from "../splits/index.js";
import { randomDataset } from "../splits/random-dataset.js";
import { buildFeatures } from "./build-features.js";
import type { FeatureMatrix } from "./feature-matrix.js";
import type { FeatureSpec } from "./feature-spec.js";
import { decodeFeatures, encodeFeatures } from "./feature-codec.js";
import { featuresForPairs } from "./features-for-pairs.js";
import type { PairFeatureSource, PairScorer, TrainRatings } from "./pair-feature-source.js";
import { userProfileFromRatings } from "./user-profile.js";

/** Unscaled value of feature `name` in row `r`. */
function raw(m: FeatureMatrix, spec: FeatureSpec, r: number, name: string): number {
  const c = spec.names.indexOf(name);
  assert.ok(c >= 0, name);
  return m.values[r * m.cols + c] * spec.scaler.std[c] + spec.scaler.mean[c];
}

function rawRow(m: FeatureMatrix, spec: FeatureSpec, r: number): number[] {
  return spec.names.map((n) => raw(m, spec, r, n));
}

function withRating(ds: Dataset, i: number, rating: number): Dataset {
  const copy = ds.ratings.rating.slice();
  copy[i] = rating;
  return { ...ds, ratings: { ...ds.ratings, rating: copy } };
}

/** Hand-made fixture: 4 users, 5 movies, a fixed split (no randomness in which part a row is). */
function handMade(): { ds: Dataset; split: Split } {
  const ratings: { userId: number; movieId: number; rating: number; timestamp: number }[] = [];
  const grid = [
    [5, 4, 3, 2, 1],
    [4, 4, 5, 1, 2],
    [1, 2, 3, 4, 5],
    [3, 3, 3, 3, 3],
  ];
  grid.forEach((row, u) => {
    row.forEach((r, m) => {
      ratings.push({
        userId: u + 1,
        movieId: m + 1,
        rating: r,
        timestamp: 1_500_000_000 + 3600 * (u * 7 + m),
      });
    });
  });
  const ds = datasetFromRecords({
    movies: [
      { movieId: 1, title: "Alpha (1990)", year: 1990, genres: ["Action"] },
      { movieId: 2, title: "Beta (1991)", year: 1991, genres: ["Action", "Comedy"] },
      { movieId: 3, title: "Gamma (1992)", year: 1992, genres: ["Comedy"] },
      { movieId: 4, title: "Delta", genres: ["Drama"] },
      { movieId: 5, title: "Epsilon (2001)", year: 2001, genres: [] },
    ],
    ratings,
  });
  const split = splitDataset(ds, { seed: 1 });
  // Overwrite the parts: movie 5 (index 4) of every user is test, movie 4 of user 1 is val.
  const part = new Uint8Array(20);
  for (let i = 0; i < 20; i++) part[i] = i % 5 === 4 ? 2 : i === 3 ? 1 : 0;
  const idx = (p: number) => Int32Array.from([...part.keys()].filter((i) => part[i] === p));
  return {
    ds,
    split: {
      ...split,
      part,
      train: idx(0),
      val: idx(1),
      test: idx(2),
      counts: { train: 15, val: 1, test: 4, droppedVal: 0, droppedTest: 0 },
    },
  };
}

test("out-of-fold: a training row's user and movie aggregates come from the other folds only", async () => {
  const { ds, split } = handMade();
  const built = await buildFeatures(ds, split, { folds: 3, embeddingDim: 0, seed: 4 });
  const { train } = built.matrices;
  const { spec, trainFolds } = built;
  const r = ds.ratings;
  for (let j = 0; j < train.rows; j++) {
    const i = split.train[j];
    const others = [...split.train].filter((_x, q) => trainFolds[q] !== trainFolds[j]);
    const userOthers = others.filter((x) => r.user[x] === r.user[i]).map((x) => r.rating[x]);
    const movieOthers = others.filter((x) => r.movie[x] === r.movie[i]).map((x) => r.rating[x]);
    const allOthers = others.map((x) => r.rating[x]);
    const gMean = allOthers.reduce((a, b) => a + b, 0) / allOthers.length;
    const uMean = userOthers.length
      ? userOthers.reduce((a, b) => a + b, 0) / userOthers.length
      : gMean;
    assert.ok(Math.abs(raw(train, spec, j, "user_mean") - uMean) < 1e-5, `row ${j}`);
    assert.ok(
      Math.abs(raw(train, spec, j, "user_count_log") - Math.log1p(userOthers.length)) < 1e-5,
    );
    assert.equal(Math.round(raw(train, spec, j, "user_unseen")), userOthers.length ? 0 : 1);
    const shrunk =
      (movieOthers.reduce((a, b) => a + b, 0) + 10 * gMean) / (movieOthers.length + 10);
    assert.ok(Math.abs(raw(train, spec, j, "movie_mean_shrunk") - shrunk) < 1e-5, `movie row ${j}`);
  }
  // Validation/test rows use the whole training part.
  const u0 = [...split.train].filter((x) => r.user[x] === 0).map((x) => r.rating[x]);
  const t0 = built.matrices.test;
  const row = [...t0.user].indexOf(0);
  assert.ok(
    Math.abs(raw(t0, spec, row, "user_mean") - u0.reduce((a, b) => a + b, 0) / u0.length) < 1e-5,
  );
});

test("leakage guard: changing a training row's own rating leaves its own features unchanged", async () => {
  const ds = randomDataset({ users: 60, movies: 50, perUser: 15, seed: 3, tagsPerMovie: 2 });
  const split = splitDataset(ds, { seed: 5 });
  const a = await buildFeatures(ds, split, { embeddingDim: 4 });
  for (const j of [0, 7, 100]) {
    const i = split.train[j];
    const b = await buildFeatures(withRating(ds, i, ds.ratings.rating[i] >= 3 ? 0.5 : 5), split, {
      embeddingDim: 4,
    });
    const ra = rawRow(a.matrices.train, a.spec, j);
    const rb = rawRow(b.matrices.train, b.spec, j);
    for (let c = 0; c < ra.length; c++) {
      assert.ok(Math.abs(ra[c] - rb[c]) < 1e-4, `${a.spec.names[c]}: ${ra[c]} vs ${rb[c]}`);
    }
    assert.notEqual(
      a.matrices.train.labels[j] + a.matrices.train.ratings[j],
      b.matrices.train.labels[j] + b.matrices.train.ratings[j],
    );
  }
});

test("leakage guard: changing a validation or test rating changes no feature anywhere", async () => {
  const ds = randomDataset({ users: 60, movies: 50, perUser: 15, seed: 3, tagsPerMovie: 2 });
  const split = splitDataset(ds, { seed: 5 });
  const a = await buildFeatures(ds, split, { embeddingDim: 4 });
  for (const i of [split.val[0], split.test[3]]) {
    const b = await buildFeatures(withRating(ds, i, ds.ratings.rating[i] >= 3 ? 0.5 : 5), split, {
      embeddingDim: 4,
    });
    for (const part of ["train", "val", "test"] as const) {
      assert.deepEqual(b.matrices[part].values, a.matrices[part].values, part);
    }
    assert.deepEqual(b.spec.scaler, a.spec.scaler);
  }
});

test("no NaN anywhere; unseen users and movies get the documented defaults", async () => {
  const ds = randomDataset({ users: 80, movies: 400, perUser: 10, seed: 9, demographics: true });
  const split = splitDataset(ds, { kind: "temporal" });
  const { matrices, spec } = await buildFeatures(ds, split, { embeddingDim: 6 });
  for (const m of Object.values(matrices)) assert.ok(m.values.every(Number.isFinite));
  assert.ok(spec.names.includes("user_age") && spec.names.some((n) => n.startsWith("occupation_")));
  const trainMovies = new Set([...split.train].map((i) => ds.ratings.movie[i]));
  const t = matrices.test;
  let unseen = 0;
  for (let j = 0; j < t.rows; j++) {
    if (trainMovies.has(t.movie[j])) continue;
    unseen++;
    assert.equal(raw(t, spec, j, "movie_unseen"), 1);
    assert.ok(
      Math.abs(raw(t, spec, j, "movie_mean_shrunk") - spec.defaults.movie_mean_shrunk) < 1e-4,
    );
    assert.ok(Math.abs(raw(t, spec, j, "movie_count_log")) < 1e-5);
  }
  assert.ok(unseen > 0, "fixture has test movies unseen in training");
  assert.equal(new Set(spec.names).size, spec.names.length);
});

test("serving features equal test-row features (training index and rebuilt profile)", async () => {
  const ds = randomDataset({
    users: 70,
    movies: 60,
    perUser: 20,
    seed: 12,
    tagsPerMovie: 1,
    demographics: true,
  });
  const split = splitDataset(ds, { seed: 8 });
  const { matrices, spec, state } = await buildFeatures(ds, split, { embeddingDim: 5 });
  const t = matrices.test;
  for (const j of [0, 1, 5, 17, t.rows - 1]) {
    const served = featuresForPairs(
      spec,
      state,
      t.user[j],
      Int32Array.of(t.movie[j]),
      t.timestamp[j],
    );
    assert.deepEqual(served.values, t.values.subarray(j * t.cols, (j + 1) * t.cols));
    // Written into row 2 of a larger table: the same values there, the other rows untouched.
    const table = new Float32Array(4 * t.cols).fill(7);
    const into = featuresForPairs(
      spec,
      state,
      t.user[j],
      Int32Array.of(t.movie[j]),
      t.timestamp[j],
      {
        values: table,
        row: 2,
      },
    );
    assert.deepEqual(into.values, served.values);
    assert.deepEqual(table.subarray(2 * t.cols, 3 * t.cols), served.values);
    assert.ok(table.subarray(0, 2 * t.cols).every((x) => x === 7));
    assert.ok(table.subarray(3 * t.cols).every((x) => x === 7));
    // Rebuilt from the user's training ratings: the same up to float summation order.
    const mine = [...split.train].filter((i) => ds.ratings.user[i] === t.user[j]);
    const profile = userProfileFromRatings(
      spec,
      state,
      {
        movie: Int32Array.from(mine, (i) => ds.ratings.movie[i]),
        rating: Float32Array.from(mine, (i) => ds.ratings.rating[i]),
        timestamp: Float64Array.from(mine, (i) => ds.ratings.timestamp[i]),
      },
      t.user[j],
    );
    const again = featuresForPairs(spec, state, profile, Int32Array.of(t.movie[j]), t.timestamp[j]);
    for (let c = 0; c < again.cols; c++) {
      assert.ok(Math.abs(again.values[c] - served.values[c]) < 1e-4, spec.names[c]);
    }
  }
  // A brand-new user: finite features, user_unseen = 1.
  const empty = {
    movie: new Int32Array(0),
    rating: new Float32Array(0),
    timestamp: new Float64Array(0),
  };
  const fresh = featuresForPairs(
    spec,
    state,
    userProfileFromRatings(spec, state, empty),
    Int32Array.of(0, 1, 2),
  );
  assert.ok(fresh.values.every(Number.isFinite));
  assert.equal(raw(fresh, spec, 0, "user_unseen"), 1);
  assert.throws(() => featuresForPairs(spec, state, 0, Int32Array.of(state.nMovies)), {
    code: "ERR_UNKNOWN_MOVIE",
  });
});

/** A toy CF source: score = the user's mean rating in the fit data (global mean when unseen). */
test("one user's rows at one time (movie-free columns copied row to row) equal rows written one by one", async () => {
  const ds = randomDataset({
    users: 40,
    movies: 50,
    perUser: 15,
    seed: 21,
    tagsPerMovie: 1,
    demographics: true,
  });
  const split = splitDataset(ds, { seed: 3 });
  const { spec, state } = await buildFeatures(ds, split, { embeddingDim: 4 });
  assert.ok(spec.layout.demographics && spec.layout.dim > 0);
  const movies = Int32Array.from({ length: 50 }, (_, i) => (i * 7) % 50);
  for (const user of [0, 5, 39]) {
    for (const when of [1.2e9, 1.5e9 + 12345]) {
      // a per-row timestamp array takes writeFeatureRow for every row
      const one = featuresForPairs(spec, state, user, movies, when);
      const each = featuresForPairs(spec, state, user, movies, new Float64Array(50).fill(when));
      assert.deepEqual(one.values, each.values, `user ${user} at ${when}`);
      // and into a larger table: the rows there, the rest untouched
      const table = new Float32Array(53 * one.cols).fill(7);
      featuresForPairs(spec, state, user, movies, when, { values: table, row: 2 });
      assert.deepEqual(table.subarray(2 * one.cols, 52 * one.cols), one.values);
      assert.ok(table.subarray(0, 2 * one.cols).every((x) => x === 7));
      assert.ok(table.subarray(52 * one.cols).every((x) => x === 7));
    }
  }
});

function userMeanSource(calls: number[]): PairFeatureSource {
  const scorer = (mean: Float32Array, global: number): PairScorer => ({
    names: ["cf_user_mean"],
    scoreRows(users, _movies, out, stride, offset) {
      for (let i = 0; i < users.length; i++)
        out[i * stride + offset] =
          users[i] >= 0 && users[i] < mean.length && Number.isFinite(mean[users[i]])
            ? mean[users[i]]
            : global;
    },
    scoreUser(user, movies, out, stride, offset) {
      this.scoreRows(new Int32Array(movies.length).fill(user.index), movies, out, stride, offset);
    },
    serialize: () => new Uint8Array(new Float32Array([global, ...mean]).buffer),
  });
  return {
    name: "toy",
    names: ["cf_user_mean"],
    fit(train: TrainRatings, ctx) {
      calls.push(ctx.fold);
      const sum = new Float64Array(train.nUsers);
      const cnt = new Float64Array(train.nUsers);
      let all = 0;
      for (let i = 0; i < train.user.length; i++) {
        sum[train.user[i]] += train.rating[i];
        cnt[train.user[i]]++;
        all += train.rating[i];
      }
      return scorer(
        Float32Array.from(sum, (s, u) => (cnt[u] ? s / cnt[u] : Number.NaN)),
        all / train.user.length,
      );
    },
    load(bytes) {
      const f = new Float32Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      return scorer(f.slice(1), f[0]);
    },
  };
}

test("pair sources are fitted per fold for training rows and on the whole training part otherwise", async () => {
  const ds = randomDataset({ users: 40, movies: 30, perUser: 12, seed: 2 });
  const split = splitDataset(ds, { seed: 3 });
  const calls: number[] = [];
  const built = await buildFeatures(ds, split, {
    folds: 4,
    embeddingDim: 0,
    pairSources: [userMeanSource(calls)],
  });
  assert.deepEqual(calls, [0, 1, 2, 3, -1]);
  const { train, test } = built.matrices;
  // With this toy source, cf_user_mean must equal the out-of-fold user_mean (same definition).
  for (let j = 0; j < train.rows; j++) {
    assert.ok(
      Math.abs(raw(train, built.spec, j, "cf_user_mean") - raw(train, built.spec, j, "user_mean")) <
        1e-4,
    );
  }
  for (let j = 0; j < test.rows; j++) {
    assert.ok(
      Math.abs(raw(test, built.spec, j, "cf_user_mean") - raw(test, built.spec, j, "user_mean")) <
        1e-4,
    );
  }
  const served = featuresForPairs(
    built.spec,
    built.state,
    test.user[0],
    Int32Array.of(test.movie[0]),
    test.timestamp[0],
  );
  assert.deepEqual(served.values, test.values.subarray(0, test.cols));
  assert.ok(split.part.some((p) => p === PART_TRAIN));
});

test("encodeFeatures / decodeFeatures round trip serves identical rows", async () => {
  const ds = randomDataset({
    users: 30,
    movies: 40,
    perUser: 10,
    seed: 21,
    tagsPerMovie: 1,
    demographics: true,
  });
  const split = splitDataset(ds, { seed: 2 });
  const calls: number[] = [];
  const source = userMeanSource(calls);
  const { spec, state, matrices } = await buildFeatures(ds, split, {
    embeddingDim: 3,
    pairSources: [source],
  });
  const bytes = encodeFeatures(spec, state);
  const back = decodeFeatures(bytes, [source]);
  assert.deepEqual(back.spec, spec);
  assert.deepEqual(back.state.userSums, state.userSums);
  const t = matrices.test;
  const movies = Int32Array.from(t.movie.subarray(0, 5));
  const a = featuresForPairs(spec, state, t.user[0], movies, 1.6e9);
  const b = featuresForPairs(back.spec, back.state, t.user[0], movies, 1.6e9);
  assert.deepEqual(b.values, a.values);
  assert.throws(() => decodeFeatures(bytes, []), { code: "ERR_MODEL_FORMAT" });
  assert.throws(() => decodeFeatures(bytes.subarray(0, 100), [source]), {
    code: "ERR_MODEL_FORMAT",
  });
});
