import assert from "node:assert/strict";
import { test } from "node:test";
import { trainGbdt } from "./gbdt.js";
import { emptyProfile } from "./fit-profile.js";
import { syntheticTable } from "./synthetic-table.js";
import { Rng } from "../../core/index.js";

// Level jobs (grower.ts growByLevel, level-jobs.ts) must grow exactly the trees of node-by-node
// growth, for any thread count.

test("level-by-level growth grows the node-by-node trees (small table, sampling, leaf cap, counts)", async () => {
  const train = syntheticTable(6000, 13, 8);
  for (const cfg of [
    { trees: 5, maxDepth: 6, earlyStoppingRounds: 0 },
    {
      trees: 5,
      maxDepth: 5,
      subsample: 0.8,
      colsampleByTree: 0.8,
      colsampleByNode: 0.6,
      earlyStoppingRounds: 0,
    },
    // depth-wise with a leaf cap: the last level splits only its first nodes
    { trees: 4, maxDepth: 6, maxLeaves: 11, earlyStoppingRounds: 0 },
    // row counts per bin (3-channel histograms, JavaScript loops)
    { trees: 4, maxDepth: 4, minRowsPerLeaf: 20, earlyStoppingRounds: 0 },
  ]) {
    const node = await trainGbdt(train, cfg, { seed: 3, threads: 1, growth: "node" });
    for (const threads of [1, 2]) {
      const level = await trainGbdt(train, cfg, { seed: 3, threads });
      assert.deepEqual(level.serialize(), node.serialize(), `${JSON.stringify(cfg)} ${threads}`);
    }
  }
});

test("level-by-level growth grows the node-by-node trees on a table with blocked builds", async () => {
  // 140,000 rows: the root and a depth-1 child build in row blocks, large nodes are partitioned
  // in several pieces; with 6 block histograms the level's blocked builds need two batches
  const train = syntheticTable(140_000, 8, 5);
  const cfg = { trees: 2, maxDepth: 4, earlyStoppingRounds: 0 };
  const node = await trainGbdt(train, cfg, { seed: 6, threads: 2, growth: "node" });
  const profile = emptyProfile();
  const level = await trainGbdt(train, cfg, { seed: 6, threads: 2, profile });
  assert.deepEqual(level.serialize(), node.serialize());
  assert.ok((profile.jobs.LFINISH?.runs ?? 0) > 0, "blocked builds ran");
});

test("level-by-level growth with more blocked builds in a level than block histograms", async () => {
  // label steps at x0 = 0.5 and x1 = 0.5: the first two levels split near the middle, so the
  // depth-2 children are ~70,000-row blocked builds (4 blocks each); with 6 block histograms
  // their level job runs in two batches
  const rows = 280_000;
  const cols = 4;
  const rng = new Rng(5);
  const values = new Float32Array(rows * cols);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = rng.next();
    const p =
      0.1 + 0.5 * (values[r * cols] > 0.5 ? 1 : 0) + 0.3 * (values[r * cols + 1] > 0.5 ? 1 : 0);
    labels[r] = rng.next() < p ? 1 : 0;
  }
  const train = { values, rows, cols, labels };
  const cfg = { trees: 1, maxDepth: 4, earlyStoppingRounds: 0 };
  const runs = async (slots: number, threads: number, growth: "level" | "node") => {
    const profile = emptyProfile();
    const m = await trainGbdt(train, cfg, {
      seed: 6,
      threads,
      histBlockSlots: slots,
      growth,
      profile,
    });
    return { bytes: m.serialize(), lhist: profile.jobs.LHIST?.runs ?? 0 };
  };
  // (fewer block histograms cap a node's blocks too: compare at the same count)
  const node = await runs(6, 2, "node");
  const wide = await runs(32, 2, "level");
  for (const threads of [1, 2]) {
    const level = await runs(6, threads, "level");
    assert.deepEqual(level.bytes, node.bytes, `${threads} threads`);
    if (threads === 2) assert.ok(level.lhist > wide.lhist, "a level ran in two batches");
  }
});
