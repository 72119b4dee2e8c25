import assert from "node:assert/strict";
import { test } from "node:test";
import { fitLikeRateBaseline } from "./like-rate-baseline.js";
import { fitPopularityRanking } from "./popularity-ranking.js";

// user 0 likes 2 of 2, user 1 likes 1 of 3; movie 0 liked 2 of 3, movie 1 liked 1 of 2
const train = {
  rows: 5,
  user: Int32Array.from([0, 0, 1, 1, 1]),
  movie: Int32Array.from([0, 1, 0, 1, 0]),
  labels: Uint8Array.from([1, 1, 1, 0, 0]),
};

test("like-rate baselines: global, movie and user rates shrunk toward the global rate", () => {
  const g = 3 / 5;
  const glob = fitLikeRateBaseline(train, "global");
  assert.ok(
    Math.abs(glob.predict({ rows: 2, user: new Int32Array(2), movie: new Int32Array(2) })[1] - g) <
      1e-7,
  );
  const movie = fitLikeRateBaseline(train, "movie", 2);
  const p = movie.predict({ rows: 3, user: new Int32Array(3), movie: Int32Array.from([0, 1, 7]) });
  assert.ok(Math.abs(p[0] - (2 + 2 * g) / (3 + 2)) < 1e-7);
  assert.ok(Math.abs(p[1] - (1 + 2 * g) / (2 + 2)) < 1e-7);
  assert.ok(Math.abs(p[2] - g) < 1e-7, "unseen movie scores the global rate");
  const user = fitLikeRateBaseline(train, "user", 0);
  const q = user.predict({ rows: 2, user: Int32Array.from([0, 1]), movie: new Int32Array(2) });
  assert.ok(Math.abs(q[0] - 1) < 1e-7);
  assert.ok(Math.abs(q[1] - 1 / 3) < 1e-7);
});

test("popularity ranking counts likes, breaking ties by rating count", () => {
  const pop = fitPopularityRanking(
    { rows: 4, movie: Int32Array.from([0, 1, 1, 2]), labels: Uint8Array.from([1, 1, 0, 0]) },
    4,
  );
  const s = pop.score([0, 1, 2, 3]);
  assert.ok(s[1] > s[0] && s[0] > s[2] && s[2] > s[3]);
});
