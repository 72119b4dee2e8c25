import assert from "node:assert/strict";
import { test } from "node:test";
import {
  chooseFinal,
  compareModels,
  type FittedRow,
  sampleRows,
} from "../../src/artifacts/index.js";
import type { ModelFamily } from "../../src/models/index.js";
import { logisticRegression } from "../../src/models/linear/index.js";
import { contractFixture } from "../contracts/contract-fixture.js";
import { refLogitFamily } from "../contracts/reference-logit.js";

const lr = logisticRegression as unknown as ModelFamily<object>;

test("compareModels: references, baseline + grid + random rows, tuned variants only use their search space", async () => {
  const f = contractFixture(3);
  const half = Math.floor(f.test.rows / 2);
  const idx = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  const { selectRows } = await import("../../src/features/index.js");
  const val = selectRows(f.test, idx(0, half));
  const tst = selectRows(f.test, idx(half, f.test.rows));
  const saved: string[] = [];
  const events: string[] = [];
  const res = await compareModels({
    train: f.train,
    val,
    test: tst,
    families: [lr, refLogitFamily() as unknown as ModelFamily<object>],
    tune: "both",
    trials: 3,
    seed: 5,
    onModel: (k) => {
      saved.push(k);
    },
    onProgress: (e) => events.push(e.stage),
  });
  assert.deepEqual(
    res.rows.map((r) => `${r.model}/${r.variant}`),
    [
      "global-like-rate/reference",
      "movie-like-rate/reference",
      "user-like-rate/reference",
      "lr/baseline",
      "lr/grid",
      "lr/random",
      "ref-logit/baseline",
      "ref-logit/grid",
      "ref-logit/random",
    ],
  );
  assert.deepEqual(saved, [
    "lr-baseline",
    "lr-grid",
    "lr-random",
    "ref-logit-baseline",
    "ref-logit-grid",
    "ref-logit-random",
  ]);
  assert.equal(res.rows.filter((r) => r.chosen).length, 1);
  assert.ok(res.chosen.model !== null);
  // the chosen row has the best validation AUC up to the tie tolerance
  const best = Math.max(
    ...res.rows.filter((r) => r.variant !== "reference").map((r) => r.val.rocAuc),
  );
  assert.ok(res.chosen.row.val.rocAuc >= best - 0.001);
  // grid trials are exactly lr's grid; random trials stay in lr's ranges
  const grid = res.tuning.find((t) => t.key === "lr-grid")!;
  assert.deepEqual(
    grid.trials.map((t) => t.params.C),
    [0.01, 0.1, 1, 10],
  );
  const rnd = res.tuning.find((t) => t.key === "lr-random")!;
  assert.equal(rnd.trials.length, 3);
  for (const t of rnd.trials) {
    assert.ok((t.params.C as number) >= 1e-3 && (t.params.C as number) <= 100);
    assert.ok(["none", "balanced"].includes(t.params.classWeight as string));
  }
  // every model beats the three baselines on this fixture
  assert.ok(
    res.baselineCheck.every((b) => b.beatsAll),
    JSON.stringify(res.baselineCheck),
  );
  assert.equal(res.rows[0].val.rocAuc, 0.5, "global like rate is a constant");
  assert.ok(
    events.includes("models") && events.includes("lr grid") && events.includes("lr random"),
  );
  assert.equal(res.curves.length, res.rows.length);
});

test("chooseFinal: best validation AUC, simpler family wins ties within 0.001", () => {
  const row = (family: string, variant: string, auc: number): FittedRow =>
    ({
      family,
      key: `${family}-${variant}`,
      model: {} as never,
      valProbs: new Float32Array(),
      testProbs: new Float32Array(),
      row: { model: family, variant, val: { rocAuc: auc } },
    }) as unknown as FittedRow;
  assert.equal(
    chooseFinal([row("gbdt", "baseline", 0.8405), row("lr", "baseline", 0.8398)]).key,
    "lr-baseline",
  );
  assert.equal(
    chooseFinal([row("gbdt", "baseline", 0.8415), row("lr", "baseline", 0.8398)]).key,
    "gbdt-baseline",
  );
  assert.equal(
    chooseFinal([row("gbdt", "random", 0.84), row("gbdt", "baseline", 0.8399)]).key,
    "gbdt-baseline",
  );
});

test("sampleRows: seeded, without replacement, keeps row order", () => {
  const f = contractFixture(2);
  const a = sampleRows(f.train, 100, 1);
  const b = sampleRows(f.train, 100, 1);
  assert.equal(a.rows, 100);
  assert.deepEqual(a.user, b.user);
  assert.deepEqual(
    [...a.timestamp],
    [...a.timestamp].sort((x, y) => x - y),
  );
  assert.equal(new Set(a.timestamp).size, 100);
  assert.equal(sampleRows(f.train, 0, 1), f.train);
});
