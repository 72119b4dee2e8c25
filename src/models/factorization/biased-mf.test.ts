import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { BiasedMfModel, fitBiasedMf } from "./biased-mf.js";
import { ratingErrors } from "./rating-errors.js";
import { plantedRatings } from "./test-fixtures.js";

const planted = plantedRatings({
  nUsers: 300,
  nMovies: 200,
  rank: 3,
  density: 0.25,
  noise: 0.2,
  seed: 5,
});

test("biased MF reaches the noise level on a planted rank-3 fixture (both solvers)", async () => {
  for (const solver of ["cholesky", "cg"] as const) {
    const model = await fitBiasedMf(
      planted.train,
      { factors: 3, reg: 0.01, biasReg: 0.01, iterations: 20, solver, clip: false },
      { rng: new Rng(1), threads: 1 },
    );
    const trainErr = ratingErrors(model, planted.train);
    const testErr = ratingErrors(model, planted.test);
    // noise std 0.2: held-out RMSE must approach it, and be far below the rating spread (~1)
    assert.ok(testErr.rmse < 0.24, `${solver}: test RMSE ${testErr.rmse}`);
    assert.ok(trainErr.rmse < 0.21, `${solver}: train RMSE ${trainErr.rmse}`);
    assert.equal(testErr.skipped, 0);
  }
});

test("ALS loss decreases at every iteration", async () => {
  for (const solver of ["cholesky", "cg"] as const) {
    const model = await fitBiasedMf(
      planted.train,
      { factors: 8, iterations: 12, solver },
      { rng: new Rng(2), threads: 1 },
    );
    const h = model.lossHistory;
    assert.equal(h.length, 12);
    for (let i = 1; i < h.length; i++) {
      assert.ok(h[i] < h[i - 1], `${solver}: loss rose at iteration ${i}: ${h[i - 1]} -> ${h[i]}`);
    }
  }
});

test("tol stops ALS at the first iteration that improves the objective by less than tol", async () => {
  const cfg = { factors: 8, iterations: 40, solver: "cg" as const };
  const full = await fitBiasedMf(planted.train, cfg, { rng: new Rng(2), threads: 1 });
  const tol = 1e-3;
  const early = await fitBiasedMf(planted.train, { ...cfg, tol }, { rng: new Rng(2), threads: 1 });
  const h = full.lossHistory;
  let stop = 1;
  while (stop < h.length && h[stop - 1] - h[stop] >= tol * h[stop - 1]) stop++;
  assert.ok(stop < 40, "the fixture converges within 40 iterations");
  // same path, cut right after the first small improvement
  assert.deepEqual(early.lossHistory, h.slice(0, stop + 1));
});

test("biased MF is deterministic by seed and independent of the thread count", async () => {
  const cfg = { factors: 6, iterations: 4 };
  const a = await fitBiasedMf(planted.train, cfg, { rng: new Rng(7), threads: 1 });
  const b = await fitBiasedMf(planted.train, cfg, { rng: new Rng(7), threads: 2 });
  const c = await fitBiasedMf(planted.train, cfg, { rng: new Rng(8), threads: 1 });
  assert.deepEqual(b.userFactors, a.userFactors);
  assert.deepEqual(b.movieFactors, a.movieFactors);
  assert.deepEqual(b.movieBias, a.movieBias);
  assert.deepEqual(b.lossHistory, a.lossHistory);
  assert.notDeepEqual(c.userFactors, a.userFactors);
});

test("biased MF serialises bit-exactly and falls back to biases for unknown users/movies", async () => {
  // user 0 and movie 0 have no training ratings
  const keep = [...planted.train.user.keys()].filter(
    (i) => planted.train.user[i] !== 0 && planted.train.movie[i] !== 0,
  );
  const t = planted.train;
  const train = {
    user: Int32Array.from(keep, (i) => t.user[i]),
    movie: Int32Array.from(keep, (i) => t.movie[i]),
    rating: Float32Array.from(keep, (i) => t.rating[i]),
    nUsers: t.nUsers,
    nMovies: t.nMovies,
  };
  const model = await fitBiasedMf(
    train,
    { factors: 4, iterations: 3 },
    { rng: new Rng(3), threads: 1 },
  );
  assert.equal(model.knowsUser(0), false);
  assert.equal(model.knowsMovie(0), false);
  assert.equal(model.dot(0, 5), 0);
  assert.ok(Math.abs(model.predict(0, 5) - (model.mu + model.movieBias[5])) < 1e-6);
  assert.ok(Math.abs(model.predict(7, 0) - (model.mu + model.userBias[7])) < 1e-6);
  assert.equal(model.predict(0, 0), model.mu);
  const back = BiasedMfModel.load(model.serialize());
  const users = Int32Array.from({ length: 500 }, (_, i) => i % t.nUsers);
  const movies = Int32Array.from({ length: 500 }, (_, i) => (i * 7) % t.nMovies);
  assert.deepEqual(back.predictMany(users, movies), model.predictMany(users, movies));
  assert.deepEqual(back.userEmbedding(3), model.userEmbedding(3));
  assert.throws(() => BiasedMfModel.load(new Uint8Array(10)), { code: "ERR_MODEL_FORMAT" });
});

test("biased MF config is validated", () => {
  return assert.rejects(fitBiasedMf(planted.train, { factors: 0 }, { rng: new Rng(1) }), {
    code: "ERR_INVALID_CONFIG",
  });
});
