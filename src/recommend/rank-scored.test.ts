import assert from "node:assert/strict";
import { test } from "node:test";
import { rankScored } from "./rank-scored.js";

test("rankScored: the k best by P(like) descending, ties by movie index, as a full sort", () => {
  let seed = 11;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (const [n, k] of [
    [300, 10],
    [5, 10],
    [50, 50],
    [1, 1],
  ]) {
    // few distinct scores: many ties
    const p = Float32Array.from({ length: n }, () => Math.round(rnd() * 20) / 20);
    const movies = Int32Array.from({ length: n }, () => Math.floor(rnd() * 10_000));
    const want = Array.from(movies.keys())
      .sort((a, b) => p[b] - p[a] || movies[a] - movies[b])
      .slice(0, k);
    assert.deepEqual(rankScored(p, movies, k), want, `n ${n} k ${k}`);
  }
  const p = Float32Array.from([0.2, Number.NaN, 0.9, 0.2]);
  assert.deepEqual(rankScored(p, Int32Array.from([4, 1, 2, 3]), 4), [2, 3, 0, 1], "NaN last");
});
