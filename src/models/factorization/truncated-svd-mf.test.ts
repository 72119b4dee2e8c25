import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { fitBiasedMf } from "./biased-mf.js";
import { ratingErrors } from "./rating-errors.js";
import { plantedRatings } from "./test-fixtures.js";
import { fitTruncatedSvdMf, TruncatedSvdMfModel } from "./truncated-svd-mf.js";

test("truncated SVD reproduces a fully observed matrix whose user-centred part has rank 1", async () => {
  // r[u][i] = 3 + a_u (b_i - mean b): every user's mean is 3, the centred matrix is a b^T
  const a = [1, -0.5, 0.8, 0.3];
  const b = [1.5, -1, 0.5, -1, 0];
  const user: number[] = [];
  const movie: number[] = [];
  const rating: number[] = [];
  for (const [u, au] of a.entries()) {
    for (const [i, bi] of b.entries()) {
      user.push(u);
      movie.push(i);
      rating.push(3 + au * bi);
    }
  }
  const train = {
    user: Int32Array.from(user),
    movie: Int32Array.from(movie),
    rating: Float32Array.from(rating),
    nUsers: 4,
    nMovies: 5,
  };
  const m = await fitTruncatedSvdMf(train, { factors: 1, clip: false }, { rng: new Rng(1) });
  for (let j = 0; j < user.length; j++) {
    assert.ok(Math.abs(m.predict(user[j], movie[j]) - rating[j]) < 1e-5);
  }
  // singular value of a b^T = |a| |b|
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(m.singularValues[0] - norm(a) * norm(b)) < 1e-5);
});

test("truncated SVD beats the user mean on held-out planted ratings but not biased MF", async () => {
  const p = plantedRatings({
    nUsers: 300,
    nMovies: 200,
    rank: 3,
    density: 0.3,
    noise: 0.2,
    seed: 6,
  });
  const svd = await fitTruncatedSvdMf(p.train, { factors: 3 }, { rng: new Rng(2) });
  const back = TruncatedSvdMfModel.load(svd.serialize());
  const svdErr = ratingErrors(back, p.test);
  assert.equal(svdErr.rmse, ratingErrors(svd, p.test).rmse);
  const userMean = {
    predict: (u: number) => svd.userMean[u],
    knowsUser: (u: number) => svd.knowsUser(u),
    knowsMovie: (m: number) => svd.knowsMovie(m),
  };
  const meanErr = ratingErrors(userMean, p.test);
  const mf = await fitBiasedMf(
    p.train,
    { factors: 3, reg: 0.02, biasReg: 0.02 },
    { rng: new Rng(2), threads: 1 },
  );
  const mfErr = ratingErrors(mf, p.test);
  assert.ok(svdErr.rmse < meanErr.rmse, `svd ${svdErr.rmse} vs user mean ${meanErr.rmse}`);
  assert.ok(mfErr.rmse < svdErr.rmse, `mf ${mfErr.rmse} vs svd ${svdErr.rmse}`);
});
