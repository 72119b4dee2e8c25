import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../core/index.js";
import type { FeatureMatrix } from "../features/index.js";
import type { LikeModel, ModelFamily, SearchSpace } from "../models/index.js";
import { gridConfigs, randomConfigs } from "./search-configs.js";
import { tuneModel } from "./tune-model.js";

const space: SearchSpace = {
  grid: { depth: [2, 4], rate: [0.1, 0.3, 0.5] },
  random: {
    depth: { type: "int", min: 2, max: 8 },
    rate: { type: "float", min: 0.001, max: 1, log: true },
    loss: { type: "choice", values: ["a", "b"] },
  },
};

test("grid is the full product in declaration order", () => {
  const g = gridConfigs(space);
  assert.equal(g.length, 6);
  assert.deepEqual(g[0], { depth: 2, rate: 0.1 });
  assert.deepEqual(g[5], { depth: 4, rate: 0.5 });
});

test("random configs stay inside the declared ranges, are seeded and log-uniform when asked", () => {
  const a = randomConfigs(space, 400, new Rng(3));
  assert.deepEqual(a, randomConfigs(space, 400, new Rng(3)));
  let small = 0;
  for (const p of a) {
    assert.ok(Number.isInteger(p.depth) && (p.depth as number) >= 2 && (p.depth as number) <= 8);
    assert.ok((p.rate as number) >= 0.001 && (p.rate as number) <= 1);
    assert.ok(p.loss === "a" || p.loss === "b");
    if ((p.rate as number) < 0.0316) small++;
  }
  // log-uniform over [1e-3, 1]: half the mass lies below 10^-1.5
  assert.ok(small > 150 && small < 250, `${small} of 400 below 10^-1.5`);
});

// A fake family whose validation AUC is known from its config: it predicts `signal * label +
// noise`, so a higher `signal` gives a higher AUC. It records every config it was fitted with.
function fakeFamily(seen: Record<string, unknown>[]): ModelFamily<object> {
  const defaults = { signal: 0, extra: 1 };
  return {
    name: "fake",
    description: "test",
    defaults,
    searchSpace: {
      grid: { signal: [0.1, 2, 0.5] },
      random: { signal: { type: "float", min: 0, max: 3 } },
    },
    config: (p = {}) => ({ ...defaults, ...p }),
    async fit(_train, config, ctx) {
      seen.push(config as Record<string, unknown>);
      const s = (config as { signal: number }).signal;
      const rng = ctx.rng;
      const m: LikeModel = {
        family: "fake",
        featureNames: ["y"],
        predict: (v, rows) =>
          Float32Array.from(
            { length: rows },
            (_, r) => 1 / (1 + Math.exp(-(s * v[r] + rng.normal()))),
          ),
        importance: () => [],
        contributions: () => ({ bias: 0, values: new Float32Array(1) }),
        serialize: () => new Uint8Array(),
      };
      return m;
    },
    load() {
      throw new Error("unused");
    },
  };
}

function valid(n: number): FeatureMatrix {
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
  return {
    rows: n,
    cols: 1,
    names: ["y"],
    values: Float32Array.from(labels, (l) => l * 2 - 1),
    labels,
    ratings: new Float32Array(n),
    user: new Int32Array(n),
    movie: new Int32Array(n),
    timestamp: new Float64Array(n),
  };
}

test("grid search fits every grid point on top of the base config and picks the best validation AUC", async () => {
  const seen: Record<string, unknown>[] = [];
  const events: number[] = [];
  const v = valid(400);
  const r = await tuneModel({
    family: fakeFamily(seen),
    train: v,
    valid: v,
    method: "grid",
    base: { extra: 7 },
    onProgress: (e) => events.push(e.done),
  });
  assert.deepEqual(
    seen.map((c) => c.signal),
    [0.1, 2, 0.5],
  );
  assert.ok(seen.every((c) => c.extra === 7));
  assert.equal(r.best.params.signal, 2);
  assert.equal(r.trials.length, 3);
  assert.deepEqual(events, [0, 1, 2, 3]);
});

test("random search runs `trials` seeded trials inside the space", async () => {
  const seenA: Record<string, unknown>[] = [];
  const seenB: Record<string, unknown>[] = [];
  const v = valid(200);
  const a = await tuneModel({
    family: fakeFamily(seenA),
    train: v,
    valid: v,
    method: "random",
    trials: 5,
    seed: 9,
  });
  const b = await tuneModel({
    family: fakeFamily(seenB),
    train: v,
    valid: v,
    method: "random",
    trials: 5,
    seed: 9,
  });
  assert.equal(seenA.length, 5);
  assert.deepEqual(seenA, seenB);
  assert.deepEqual(
    a.trials.map((t) => t.valAuc),
    b.trials.map((t) => t.valAuc),
  );
  assert.ok(seenA.every((c) => (c.signal as number) >= 0 && (c.signal as number) <= 3));
  const bestAuc = Math.max(...a.trials.map((t) => t.valAuc));
  assert.equal(a.best.valAuc, bestAuc);
});
