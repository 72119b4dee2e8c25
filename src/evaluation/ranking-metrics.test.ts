import assert from "node:assert/strict";
import { test } from "node:test";
import { rankingMetrics, topKByScore } from "./ranking-metrics.js";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test("ranking metrics @3 and @5 on a hand-computed case; users without relevant items skipped", () => {
  const r = rankingMetrics(
    [
      { recommended: [1, 2, 3, 4, 5], relevant: [2, 5, 9] },
      { recommended: [9, 1, 2, 3, 4], relevant: [] },
      { recommended: [7, 8, 9, 1, 2], relevant: [7] },
    ],
    10,
    [3, 5],
  );
  assert.equal(r.users, 2);
  assert.equal(r.skippedUsers, 1);
  const [k3, k5] = r.atK;
  const l3 = 1 / Math.log2(3);
  const idcg3 = 1 + l3 + 0.5;
  // user 1 @3: one hit at position 2; user 3 @3: hit at position 1
  close(k3.precision, (1 / 3 + 1 / 3) / 2);
  close(k3.recall, (1 / 3 + 1) / 2);
  close(k3.ndcg, (l3 / idcg3 + 1) / 2);
  close(k3.map, (0.5 / 3 + 1) / 2);
  close(k3.hitRate, 1);
  close(k3.coverage, 6 / 10); // {1,2,3,7,8,9}; the skipped user's list does not count
  // user 1 @5: hits at positions 2 and 5
  const dcg5 = l3 + 1 / Math.log2(6);
  close(k5.precision, (2 / 5 + 1 / 5) / 2);
  close(k5.recall, (2 / 3 + 1) / 2);
  close(k5.ndcg, (dcg5 / idcg3 + 1) / 2);
  close(k5.map, ((0.5 + 2 / 5) / 3 + 1) / 2);
  close(k5.coverage, 8 / 10);
});

test("a short list (fewer candidates than k) still divides precision by k", () => {
  const r = rankingMetrics([{ recommended: [4], relevant: [4, 6] }], 5, [2]);
  close(r.atK[0].precision, 0.5);
  close(r.atK[0].recall, 0.5);
  close(r.atK[0].map, 1 / 2);
  close(r.atK[0].ndcg, 1 / (1 + 1 / Math.log2(3)));
});

test("topKByScore: best first, ties to the lower item id, NaN skipped", () => {
  assert.deepEqual([...topKByScore([0.1, 0.5, 0.5, 0.9], [10, 12, 11, 13], 3)], [13, 11, 12]);
  assert.deepEqual([...topKByScore([0.1, Number.NaN, 0.2], [1, 2, 3], 5)], [3, 1]);
  const n = 1000;
  const s = Float32Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
  const items = Int32Array.from({ length: n }, (_, i) => i);
  const expect = [...items].sort((a, b) => s[b] - s[a] || a - b).slice(0, 20);
  assert.deepEqual([...topKByScore(s, items, 20)], expect);
});
