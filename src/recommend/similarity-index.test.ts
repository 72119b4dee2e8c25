import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../core/index.js";
import { topK } from "./similarity-index.js";

test("topK: best first, ties in index order, NaN and rejected movies skipped (vs a full sort)", () => {
  const rng = new Rng(5);
  for (const n of [0, 1, 7, 300, 2000]) {
    // few distinct values, so ties are common
    const scores = Float32Array.from({ length: n }, () => {
      const u = rng.next();
      if (u < 0.05) return Number.NaN;
      if (u < 0.08) return Number.NEGATIVE_INFINITY;
      return Math.floor(rng.next() * 40) / 8 - 1;
    });
    const accept = (m: number) => m % 7 !== 3;
    for (const k of [1, 5, 200, 5000]) {
      const want = Array.from(scores.keys())
        .filter((m) => !Number.isNaN(scores[m]) && accept(m))
        .sort((a, b) => scores[b] - scores[a] || a - b)
        .slice(0, k);
      assert.deepEqual(topK(scores, k, accept), want, `n ${n} k ${k}`);
      // `min`: scores below it are skipped (Number.MIN_VALUE: positive scores only)
      for (const min of [0.5, Number.MIN_VALUE]) {
        const above = want.length < k ? want : null;
        const got = topK(scores, k, accept, min);
        const ref = Array.from(scores.keys())
          .filter((m) => scores[m] >= min && accept(m))
          .sort((a, b) => scores[b] - scores[a] || a - b)
          .slice(0, k);
        assert.deepEqual(got, ref, `n ${n} k ${k} min ${min}`);
        if (above) assert.ok(got.every((m) => above.includes(m)));
      }
    }
  }
  assert.deepEqual(
    topK([3, 1, 2], 0, () => true),
    [],
  );
});
