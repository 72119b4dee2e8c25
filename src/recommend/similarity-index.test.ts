import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../core/index.js";
import { topK } from "./similarity-index.js";

test("topK: best first, ties in index order, NaN and rejected movies skipped (vs a full sort)", () => {
  const rng = new Rng(5);
  for (const n of [0, 1, 7, 300, 2000]) {
    // few distinct values, so ties are common
    const scores = Float32Array.from({ length: n }, () =>
      rng.next() < 0.05 ? Number.NaN : Math.floor(rng.next() * 40) / 8,
    );
    const accept = (m: number) => m % 7 !== 3;
    for (const k of [1, 5, 200, 5000]) {
      const want = Array.from(scores.keys())
        .filter((m) => !Number.isNaN(scores[m]) && accept(m))
        .sort((a, b) => scores[b] - scores[a] || a - b)
        .slice(0, k);
      assert.deepEqual(topK(scores, k, accept), want, `n ${n} k ${k}`);
    }
  }
  assert.deepEqual(
    topK([3, 1, 2], 0, () => true),
    [],
  );
});
