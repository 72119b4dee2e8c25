import assert from "node:assert/strict";
import { test } from "node:test";
import { dotAll, neighbourTable } from "./fit-serving-cf.js";

test("dotAll: every row's dot product, bit-identical to the one-movie-at-a-time sum", () => {
  const k = 7;
  const n = 23; // not a multiple of 4: the tail rows too
  let seed = 3;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const x = Float32Array.from({ length: k }, rnd);
  const Y = Float32Array.from({ length: n * k }, rnd);
  const got = dotAll(x, Y, k);
  assert.equal(got.length, n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += x[c] * Y[i * k + c];
    assert.equal(got[i], Math.fround(s), `row ${i}`);
  }
});

test("neighbourTable: every list, in order, at start[m] .. start[m+1]", () => {
  const lists = [
    { movies: Int32Array.of(2, 1), sims: Float32Array.of(0.5, 0.25) },
    { movies: new Int32Array(0), sims: new Float32Array(0) },
    { movies: Int32Array.of(0), sims: Float32Array.of(0.75) },
  ];
  const t = neighbourTable(3, (m) => lists[m]);
  assert.deepEqual([...t.start], [0, 2, 2, 3]);
  assert.deepEqual([...t.movie], [2, 1, 0]);
  assert.deepEqual([...t.sim], [0.5, 0.25, 0.75]);
});
