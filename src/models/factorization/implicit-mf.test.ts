import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { fitImplicitMf, ImplicitMfModel } from "./implicit-mf.js";

/** 4 taste groups of users, each mostly rating its own block of 30 movies; one held out each. */
function blocks() {
  const rng = new Rng(11);
  const nUsers = 160;
  const nMovies = 120;
  const user: number[] = [];
  const movie: number[] = [];
  const rating: number[] = [];
  const heldOut = new Int32Array(nUsers).fill(-1);
  for (let u = 0; u < nUsers; u++) {
    const g = u % 4;
    const mine: number[] = [];
    for (let m = 0; m < nMovies; m++) {
      const own = Math.floor(m / 30) === g;
      if (rng.next() < (own ? 0.5 : 0.04)) mine.push(m);
    }
    // hold out a random own-block movie (not the first: that would starve low indices)
    const own = mine.filter((m) => Math.floor(m / 30) === g);
    if (own.length > 1) heldOut[u] = own[rng.int(own.length)];
    for (const m of mine) {
      if (m === heldOut[u]) continue;
      user.push(u);
      movie.push(m);
      rating.push(Math.floor(m / 30) === g ? 4 + rng.int(2) : 1 + rng.int(3));
    }
  }
  return {
    train: {
      user: Int32Array.from(user),
      movie: Int32Array.from(movie),
      rating: Float32Array.from(rating),
      nUsers,
      nMovies,
    },
    heldOut,
  };
}

test("implicit MF ranks each user's held-out movie above the movies they did not rate", async () => {
  const { train, heldOut } = blocks();
  const model = await fitImplicitMf(
    train,
    { factors: 8, iterations: 8 },
    { rng: new Rng(1), threads: 1 },
  );
  const rated = new Set<number>();
  for (let i = 0; i < train.user.length; i++)
    rated.add(train.user[i] * train.nMovies + train.movie[i]);
  let auc = 0;
  let users = 0;
  for (let u = 0; u < train.nUsers; u++) {
    if (heldOut[u] < 0) continue;
    const s = model.userScores({ index: u });
    assert.ok(s);
    let below = 0;
    let n = 0;
    for (let m = 0; m < train.nMovies; m++) {
      if (m === heldOut[u] || rated.has(u * train.nMovies + m)) continue;
      n++;
      if (s[m] < s[heldOut[u]]) below++;
    }
    auc += below / n;
    users++;
  }
  auc /= users;
  // random scores give 0.5; the held-out movie sits in the user's block among ~15 unrated
  // own-block movies and ~85 others, so a model that learnt the blocks is far above 0.5
  assert.ok(auc > 0.8, `held-out AUC ${auc}`);
});

test("implicit ALS loss decreases every iteration; threads and serialisation do not change it", async () => {
  const { train } = blocks();
  for (const solver of ["cholesky", "cg"] as const) {
    const a = await fitImplicitMf(
      train,
      { factors: 6, iterations: 8, solver },
      { rng: new Rng(2), threads: 1 },
    );
    for (let i = 1; i < a.lossHistory.length; i++) {
      assert.ok(a.lossHistory[i] < a.lossHistory[i - 1], `${solver}: loss rose at ${i}`);
    }
    const b = await fitImplicitMf(
      train,
      { factors: 6, iterations: 8, solver },
      { rng: new Rng(2), threads: 2 },
    );
    assert.deepEqual(b.movieFactors, a.movieFactors);
    const back = ImplicitMfModel.load(a.serialize());
    assert.deepEqual(back.userScores({ index: 5 }), a.userScores({ index: 5 }));
  }
});

test("implicit MF folds a live profile in and returns null for an unknown user without ratings", async () => {
  const { train } = blocks();
  const model = await fitImplicitMf(
    train,
    { factors: 8, iterations: 8, solver: "cholesky" },
    { rng: new Rng(3), threads: 1 },
  );
  assert.equal(model.userScores({ index: -1 }), null);
  // a new user who rated movies of block 2 prefers block 2's other movies
  const s = model.userScores({
    index: -1,
    ratings: {
      movie: Int32Array.from([60, 61, 62, 63, 64]),
      rating: Float32Array.from([5, 5, 4, 5, 4]),
    },
  });
  assert.ok(s);
  let own = 0;
  let other = 0;
  for (let m = 0; m < 120; m++) {
    if (m >= 60 && m <= 64) continue;
    if (m >= 60 && m < 90) own += s[m] / 25;
    else if (m < 60 || m >= 90) other += s[m] / 90;
  }
  assert.ok(own > other + 0.2, `own block ${own} vs others ${other}`);
});
