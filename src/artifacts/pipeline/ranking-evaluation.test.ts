import assert from "node:assert/strict";
import { test } from "node:test";
import type { Dataset } from "../../data/index.js";
import {
  type BatchScorer,
  runRanking,
  type UserLists,
  type UserScorer,
} from "./ranking-evaluation.js";

// 40 movies, 9 users; each user rated a few movies in training and liked a few in test.
const N_MOVIES = 40;
const dataset = { movies: { size: N_MOVIES } } as unknown as Dataset;
const users = Int32Array.from({ length: 9 }, (_, u) => u);
const lists: UserLists = {
  trainRated: Array.from(users, (u) => Int32Array.of(u, u + 10, 39)),
  allRated: Array.from(users, (u) => Int32Array.of(u, u + 10, u + 20, 39)),
  relevant: Array.from(users, (u) => Int32Array.of(u + 20, (u * 7) % 40)),
  testUsers: users,
};
/** A fixed pseudo-random score per (user, movie). */
const score = (u: number, m: number) => ((u * 131 + m * 71) % 97) / 97;
const one: UserScorer = (u, movies) => Float32Array.from(movies, (m) => score(u, m));

test("batched scoring with the next batch prepared during scoring ranks exactly as user by user", async () => {
  const prepared: number[] = [];
  let meanwhileCalls = 0;
  const many: BatchScorer = {
    prepare(us, movies) {
      prepared.push(us.length);
      return { us: us.slice(), movies };
    },
    async score(batch, meanwhile) {
      const { us, movies } = batch as { us: Int32Array; movies: Int32Array[] };
      meanwhile?.();
      meanwhileCalls++;
      return Array.from(us, (u, k) => one(u, movies[k]) as Float32Array);
    },
  };
  const alone = await runRanking({ dataset, lists, scorer: one, topN: 5 });
  // ~37 candidates per user, 80 rows per batch: batches of 3 users (the last one smaller)
  const batched = await runRanking({
    dataset,
    lists,
    scorer: one,
    batchScorer: many,
    topN: 5,
    batchRows: 80,
  });
  assert.deepEqual(batched.metrics, alone.metrics);
  assert.deepEqual([...batched.top.entries()], [...alone.top.entries()]);
  assert.deepEqual(prepared, [3, 3, 3]);
  assert.equal(meanwhileCalls, 3);
  // every recommended movie is unrated by that user
  for (const [u, { movies }] of batched.top) {
    for (const m of movies) assert.ok(!lists.allRated[u].includes(m));
  }
});
