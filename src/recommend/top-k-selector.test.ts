import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../core/index.js";
import { topK } from "./similarity-index.js";
import { selectLargest, TopKSelector } from "./top-k-selector.js";

/** The reference: a full sort, best first, ties by index, NaN and skipped/below-min left out. */
function bySort(scores: Float32Array, k: number, skip: Uint8Array, min: number): number[] {
  return Array.from(scores.keys())
    .filter((m) => skip[m] === 0 && scores[m] >= min)
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, k);
}

function shapes(rng: Rng, n: number): Record<string, Float32Array> {
  const few = () => Math.floor(rng.next() * 40) / 8 - 1; // few distinct values: many ties
  return {
    random: Float32Array.from({ length: n }, () => rng.next() * 2 - 1),
    ties: Float32Array.from({ length: n }, few),
    ascending: Float32Array.from({ length: n }, (_, m) => m / 7),
    descending: Float32Array.from({ length: n }, (_, m) => -m / 7),
    steps: Float32Array.from({ length: n }, (_, m) => Math.floor(m / 50)),
    organPipe: Float32Array.from({ length: n }, (_, m) => Math.min(m, n - m)),
    constant: new Float32Array(n).fill(0.25),
    special: Float32Array.from({ length: n }, (_, m) => {
      const u = rng.next();
      if (u < 0.1) return Number.NaN;
      if (u < 0.15) return Number.NEGATIVE_INFINITY;
      if (u < 0.2) return Number.POSITIVE_INFINITY;
      if (u < 0.35) return m % 2 === 0 ? -0 : 0; // -0 and +0 tie
      return few();
    }),
  };
}

test("TopKSelector: the k best of a sort (ties by index), any input order, skip and min", () => {
  const rng = new Rng(17);
  const sel = new TopKSelector(4); // grows as needed
  for (const n of [0, 1, 2, 3, 9, 300, 2500]) {
    for (const [name, scores] of Object.entries(shapes(rng, n))) {
      const skip = Uint8Array.from({ length: n + 3 }, () => (rng.next() < 0.2 ? 1 : 0));
      const none = new Uint8Array(n);
      for (const k of [1, 5, 200, 5000]) {
        for (const min of [Number.NEGATIVE_INFINITY, 0.5, Number.MIN_VALUE]) {
          for (const [mask, s] of [
            ["skip", skip],
            ["none", none],
          ] as const) {
            const out = new Int32Array(k);
            const got = Array.from(out.subarray(0, sel.select(scores, k, s, out, min)));
            const want = bySort(scores, k, s, min);
            assert.deepEqual(got, want, `${name} n ${n} k ${k} min ${min} ${mask}`);
            // the same answer as the heap topK it replaces on the candidate path
            assert.deepEqual(
              got,
              topK(scores, k, (m) => s[m] === 0, min),
            );
          }
        }
      }
    }
  }
});

test("TopKSelector.selectAmong: select() over the listed movies only, in any list order", () => {
  const rng = new Rng(29);
  const sel = new TopKSelector();
  for (const n of [1, 50, 3000]) {
    for (const [name, scores] of Object.entries(shapes(rng, n))) {
      const ids = Int32Array.from(Array.from(scores.keys()).filter(() => rng.next() < 0.4));
      ids.sort(() => (rng.next() < 0.5 ? -1 : 1)); // list order must not matter
      const listed = new Uint8Array(n);
      for (const m of ids) listed[m] = 1;
      const skip = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
      for (const k of [1, 7, 200]) {
        for (const min of [Number.NEGATIVE_INFINITY, Number.MIN_VALUE]) {
          const out = new Int32Array(k);
          const got = Array.from(
            out.subarray(0, sel.selectAmong(scores, ids, ids.length, k, skip, out, min)),
          );
          const off = Uint8Array.from(skip, (s, m) => (s === 1 || listed[m] === 0 ? 1 : 0));
          assert.deepEqual(got, bySort(scores, k, off, min), `${name} n ${n} k ${k} min ${min}`);
        }
      }
    }
  }
});

test("TopKSelector: exact when the sampled threshold admits fewer than k", () => {
  // Only the movies the sample looks at are offered: the threshold from the sample admits about
  // 2k of the sample's movies, fewer than k of the whole, so select() must admit all instead.
  const n = 5000;
  const scores = Float32Array.from({ length: n }, (_, m) => m % 97);
  const skip = new Uint8Array(n).fill(1);
  for (let i = 0; i < 512; i++) skip[Math.floor((i * n) / 512)] = 0;
  const sel = new TopKSelector(n);
  for (const k of [200, 400]) {
    const out = new Int32Array(k);
    const got = Array.from(out.subarray(0, sel.select(scores, k, skip, out)));
    assert.deepEqual(got, bySort(scores, k, skip, Number.NEGATIVE_INFINITY), `k ${k}`);
  }
});

test("selectLargest: the k largest at the end, also for orders that defeat the pivot", () => {
  const rng = new Rng(3);
  for (const n of [1, 2, 3, 10, 1000, 20000]) {
    const orders: Record<string, Float64Array> = {
      random: Float64Array.from({ length: n }, (_, i) => i + rng.next() * 0.5).sort(() =>
        rng.next() < 0.5 ? -1 : 1,
      ),
      ascending: Float64Array.from({ length: n }, (_, i) => i),
      descending: Float64Array.from({ length: n }, (_, i) => n - i),
      organPipe: Float64Array.from({ length: n }, (_, i) => (i < n / 2 ? 2 * i : 2 * (n - i) + 1)),
    };
    for (const [name, a] of Object.entries(orders)) {
      for (const k of [1, Math.ceil(n / 3), n]) {
        const b = a.slice();
        selectLargest(b, n, k);
        const want = a
          .slice()
          .sort()
          .subarray(n - k);
        assert.deepEqual(b.subarray(n - k).sort(), want, `${name} n ${n} k ${k}`);
        assert.deepEqual(b.slice().sort(), a.slice().sort(), "a permutation");
      }
    }
  }
});
