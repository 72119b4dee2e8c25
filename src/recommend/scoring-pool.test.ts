import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../core/index.js";
import { getModel, type LikeModel, syntheticTable } from "../models/index.js";
import { reasonFeatures } from "./reasons.js";
import { type Scored, scoreCandidates } from "./score-candidates.js";
import { packScored, ScoringPool, unpackScored } from "./scoring-pool.js";

// Feature names a reason can name (movie_*) and user-only ones, as a real run has.
const NAMES = ["movie_mean", "user_mean", "movie_count_log", "user_std", "knn_score", "noise"];

async function gbdt(rows: number, trees: number, seed: number): Promise<LikeModel> {
  const cols = NAMES.length;
  const train = syntheticTable(rows, cols, seed);
  const fam = getModel("gbdt");
  assert.ok(fam);
  return fam.fit(
    {
      rows: train.rows,
      cols,
      names: NAMES,
      values: train.values,
      labels: train.labels,
      ratings: new Float32Array(train.rows),
      user: new Int32Array(train.rows),
      movie: new Int32Array(train.rows),
      timestamp: new Float64Array(train.rows),
    },
    fam.config({ trees, maxDepth: 4 }),
    { threads: 1, rng: new Rng(seed) },
  );
}

/** A request for `pool`: the same 20 synthetic rows each call, movies 0..19, k = 5. */
function twentyRows(pool: ScoringPool, seed: number): () => Promise<Scored> {
  const t = syntheticTable(20, NAMES.length, seed);
  return () =>
    pool.score(
      t.values.slice(),
      Int32Array.from({ length: 20 }, (_, i) => i),
      5,
    );
}

test("ScoringPool: lists scored on workers and on the calling thread equal scoreCandidates'", async () => {
  const cols = NAMES.length;
  const model = await gbdt(600, 30, 3);
  const explained = reasonFeatures(NAMES);
  const requests = Array.from({ length: 40 }, (_, r) => {
    const t = syntheticTable(50 + r, cols, 100 + r);
    return { rows: t.values, movies: Int32Array.from({ length: t.rows }, (_, i) => 3 * i + r) };
  });
  const want = requests.map((q) =>
    scoreCandidates(model, q.rows.slice(), q.movies.slice(), 10, explained),
  );
  const pool = new ScoringPool(model, 1, { stealAt: 20 });
  try {
    // all at once: all go to the worker, and the calling thread takes the oldest it has not
    // started while 20 or more wait (all of them while the worker is still starting: then 21);
    // each is scored once (no reply comes back for a request the calling thread took)
    const got = await Promise.all(
      requests.map((q) => pool.score(q.rows.slice(), q.movies.slice(), 10)),
    );
    assert.ok(pool.counts.workers > 0 && pool.counts.local > 0, JSON.stringify(pool.counts));
    assert.equal(pool.counts.workers + pool.counts.local, requests.length);
    assert.equal(pool.counts.stale, 0);
    got.forEach((g, r) => {
      assert.deepEqual(g.p, want[r].p, `request ${r}: P(like)`);
      assert.deepEqual(g.top, want[r].top, `request ${r}: top`);
      g.contributions.forEach((c, i) => {
        assert.equal(c.bias, want[r].contributions[i].bias);
        assert.deepEqual(Array.from(c.values), Array.from(want[r].contributions[i].values));
      });
    });
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.score(new Float32Array(cols), new Int32Array(1), 1), /closed/);
});

test("ScoringPool without local scoring: every request goes to a worker", async () => {
  const model = await gbdt(300, 10, 4);
  const pool = new ScoringPool(model, 2, { local: false });
  try {
    const out = await Promise.all(Array.from({ length: 12 }, twentyRows(pool, 9)));
    assert.equal(pool.counts.local, 0);
    assert.equal(pool.counts.workers, 12);
    for (const o of out) assert.deepEqual(o.top, out[0].top);
  } finally {
    await pool.close();
  }
});

test("ScoringPool: a worker's slots are reused, and close() settles every request in flight", async () => {
  const model = await gbdt(300, 10, 5);
  const pool = new ScoringPool(model, 1, { local: false, depth: 4 });
  const request = twentyRows(pool, 11);
  try {
    // three waves of ten through four slots: every answer arrives, and no slot is added
    for (let wave = 0; wave < 3; wave++) {
      const out = await Promise.all(Array.from({ length: 10 }, request));
      for (const o of out) assert.deepEqual(o.top, out[0].top);
    }
    const slots = (pool as unknown as { slots: unknown[] }).slots;
    assert.equal(slots.length, 4);
    // four on the worker and two queued when the pool closes: each is answered (a reply can
    // arrive while the workers stop) or rejected, none is left waiting, and no slot is held
    const late = Array.from({ length: 6 }, () =>
      request().then(
        () => "answered",
        (e: Error) => e.message,
      ),
    );
    await pool.close();
    for (const r of await Promise.all(late)) assert.match(r, /^answered$|closed/);
    assert.ok(slots.every((x) => x === null));
  } finally {
    await pool.close();
  }
});

test("ScoringPool: when its worker stops, the calling thread scores the requests it held and every later one", async () => {
  const cols = NAMES.length;
  const model = await gbdt(300, 10, 6);
  const explained = reasonFeatures(NAMES);
  const pool = new ScoringPool(model, 1); // stealAt 16: more than the requests below
  const request = twentyRows(pool, 12);
  const t = syntheticTable(20, cols, 12);
  const want = scoreCandidates(
    model,
    t.values.slice(),
    Int32Array.from({ length: 20 }, (_, i) => i),
    5,
    explained,
  );
  try {
    // six sent to the worker, which stops before it answers (it is still starting)
    const held = Array.from({ length: 6 }, request);
    const workers = (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers;
    await workers[0].terminate();
    // terminate() settles on the worker's exit event, after the pool's own listener marked it
    // stopped; the pause only makes the test independent of that order
    await new Promise((r) => setTimeout(r, 50));
    const later = Array.from({ length: 3 }, request);
    for (const o of await Promise.all([...held, ...later])) {
      assert.deepEqual(o.p, want.p);
      assert.deepEqual(o.top, want.top);
    }
    assert.equal(pool.counts.local + pool.counts.workers, 9);
    assert.ok(pool.counts.local >= 3, JSON.stringify(pool.counts));
  } finally {
    await pool.close();
  }
});

test("packScored / unpackScored: a worker's reply in one buffer comes back equal", () => {
  for (const [n, t, cols] of [
    [0, 0, 3],
    [5, 1, 3],
    [7, 3, 5], // odd sizes: the float64 biases are aligned after the float32 parts
  ]) {
    const s = {
      p: Float32Array.from({ length: n }, (_, i) => i / 7),
      top: Array.from({ length: t }, (_, i) => n - 1 - i),
      contributions: Array.from({ length: t }, (_, i) => ({
        bias: i + 1 / 3,
        values: Float32Array.from({ length: cols }, (_, j) => i * 10 + j + 0.5),
      })),
    };
    const packed = packScored(s, cols);
    const back = unpackScored(packed.n, packed.t, packed.buffer, cols);
    assert.deepEqual(back.p, s.p);
    assert.deepEqual(back.top, s.top);
    back.contributions.forEach((c, i) => {
      assert.equal(c.bias, s.contributions[i].bias);
      assert.deepEqual(c.values, s.contributions[i].values);
    });
  }
});
