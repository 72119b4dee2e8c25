import assert from "node:assert/strict";
import { test } from "node:test";
import { CinerankError, Rng } from "../../core/index.js";
import { trainGbdt } from "./gbdt.js";
import { gbdtSearchSpace } from "./gbdt-config.js";
import { gbdtFamily } from "./gbdt-family.js";
import { rocAuc, syntheticTable } from "./synthetic-table.js";
import { TreeModel } from "./tree-model.js";
import { PARALLEL_MIN_WALKS, predictPoolWorkerChunks } from "./predict-pool.js";
import { wasmHistogramAvailable } from "./wasm-histogram.js";

const table = (values: number[], cols: number, labels: number[]) => ({
  values: Float32Array.from(values),
  rows: labels.length,
  cols,
  labels: Float32Array.from(labels),
});

test("a single split matches the hand computation (squared error)", async () => {
  // x = 1,2,3,4; y = 0,0,1,1. base = 0.5, g = base - y = (.5,.5,-.5,-.5), h = 1, lambda = 1.
  // best cut between 2 and 3: GL = 1, HL = 2, GR = -1, HR = 2:
  //   gain = 1²/3 + 1²/3 - 0²/5 = 2/3; leaves -GL/(HL+1) = -1/3 and +1/3; threshold 2.5.
  // (cut 1|234: 0.25/2 + 0.25/4 = 0.1875; cut 123|4 the same — both lose.)
  const m = await trainGbdt(
    table([1, 2, 3, 4], 1, [0, 0, 1, 1]),
    {
      objective: "squared",
      trees: 1,
      maxDepth: 1,
      learningRate: 1,
      lambda: 1,
      minChildWeight: 0,
      earlyStoppingRounds: 0,
    },
    { threads: 1 },
  );
  const f = m.forest;
  assert.equal(f.nodes, 3);
  assert.equal(f.feature[0], 0);
  assert.equal(f.threshold[0], 2.5);
  assert.ok(Math.abs(m.importance()[0].value - 2 / 3) < 1e-12);
  const p = m.predict(Float32Array.from([1, 2, 3, 4, 2.49, 2.51]), 6);
  const want = [1 / 6, 1 / 6, 5 / 6, 5 / 6, 1 / 6, 5 / 6];
  for (const [i, w] of want.entries())
    assert.ok(Math.abs(p[i] - w) < 1e-6, `row ${i}: ${p[i]} vs ${w}`);
});

test("a single split matches the hand computation (binary log loss)", async () => {
  // base logit 0 (mean 0.5), p = 0.5: g = 0.5 - y, h = 0.25. Cut 2|3: GL = 1, HL = 0.5:
  //   gain = 1/1.5 + 1/1.5 - 0 = 4/3, leaves -1/1.5 = -2/3 and +2/3 (lr 1).
  const m = await trainGbdt(
    table([1, 2, 3, 4], 1, [0, 0, 1, 1]),
    {
      trees: 1,
      maxDepth: 3,
      learningRate: 1,
      lambda: 1,
      minChildWeight: 0,
      earlyStoppingRounds: 0,
    },
    { threads: 1 },
  );
  assert.equal(m.forest.threshold[0], 2.5);
  assert.ok(Math.abs(m.importance()[0].value - 4 / 3) < 1e-12);
  const raw = m.predictRaw(Float32Array.from([1, 4]), 2);
  assert.ok(Math.abs(raw[0] + 2 / 3) < 1e-6 && Math.abs(raw[1] - 2 / 3) < 1e-6, `${raw}`);
  // children are pure: any further cut has zero gain, so the tree stays at one split
  assert.equal(m.forest.nodes, 3);
});

test("XOR needs depth 2", async () => {
  const values: number[] = [];
  const labels: number[] = [];
  const counts = [10, 10, 10, 12]; // slight imbalance so the first cut has some gain
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ].forEach(([a, b], k) => {
    for (let i = 0; i < counts[k]; i++) {
      values.push(a, b);
      labels.push(a ^ b);
    }
  });
  const t = table(values, 2, labels);
  const cfg = { trees: 30, learningRate: 0.5, minChildWeight: 0, earlyStoppingRounds: 0 };
  const grid = Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
  const deep = (await trainGbdt(t, { ...cfg, maxDepth: 2 }, { threads: 1 })).predict(grid, 4);
  const stump = (await trainGbdt(t, { ...cfg, maxDepth: 1 }, { threads: 1 })).predict(grid, 4);
  assert.ok(deep[0] < 0.1 && deep[3] < 0.1 && deep[1] > 0.9 && deep[2] > 0.9, `depth 2: ${deep}`);
  // stumps add up per-feature effects: they cannot put (0,1),(1,0) above both (0,0) and (1,1)
  const sep = Math.min(stump[1], stump[2]) > Math.max(stump[0], stump[3]);
  assert.ok(!sep, `depth 1 should fail XOR: ${stump}`);
});

test("missing values go to the side that gains more", async () => {
  for (const nanLabel of [0, 1]) {
    const values: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 60; i++) {
      const x = i % 3 === 0 ? Number.NaN : i / 60;
      values.push(x);
      labels.push(Number.isNaN(x) ? nanLabel : x > 0.5 ? 1 : 0);
    }
    const m = await trainGbdt(
      table(values, 1, labels),
      {
        trees: 20,
        maxDepth: 1,
        learningRate: 0.5,
        earlyStoppingRounds: 0,
      },
      { threads: 1 },
    );
    // NaN rows look like the "x > 0.5" rows when labelled 1, like the others when labelled 0
    assert.equal(m.forest.defaultLeft[0], nanLabel === 1 ? 0 : 1);
    const p = m.predict(Float32Array.from([Number.NaN]), 1)[0];
    assert.ok(nanLabel === 1 ? p > 0.9 : p < 0.1, `NaN -> ${p} for label ${nanLabel}`);
  }
});

test("constant and all-missing features are never split on", async () => {
  const rng = new Rng(3);
  const rows = 400;
  const values = new Float32Array(rows * 3);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    values[r * 3] = 7; // constant
    values[r * 3 + 1] = rng.normal();
    values[r * 3 + 2] = Number.NaN; // all missing
    labels[r] = values[r * 3 + 1] + 0.3 * rng.normal() > 0 ? 1 : 0;
  }
  const m = await trainGbdt(
    { values, rows, cols: 3, labels },
    { trees: 10, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const used = new Set(Array.from(m.forest.feature).filter((f) => f >= 0));
  assert.deepEqual([...used], [1]);
  const counts = Object.fromEntries(m.splitCounts().map((e) => [e.feature, e.value]));
  assert.equal(counts.f0, 0);
  assert.equal(counts.f2, 0);
  assert.ok(counts.f1 > 0);
});

test("a monotone target gives monotone predictions", async () => {
  const rows = 500;
  const x = Float32Array.from({ length: rows }, (_, i) => i / rows);
  const y = Float32Array.from(x, (v) => v * v * 3);
  const m = await trainGbdt(
    { values: x, rows, cols: 1, labels: y },
    {
      objective: "squared",
      trees: 100,
      earlyStoppingRounds: 0,
    },
    { threads: 1 },
  );
  const p = m.predict(x, rows);
  let sse = 0;
  for (let i = 0; i < rows; i++) {
    if (i > 0) assert.ok(p[i] >= p[i - 1], `not monotone at ${i}: ${p[i - 1]} > ${p[i]}`);
    sse += (p[i] - y[i]) ** 2;
  }
  assert.ok(Math.sqrt(sse / rows) < 0.02, `rmse ${Math.sqrt(sse / rows)}`);
});

test("early stopping keeps the best iteration", async () => {
  const train = syntheticTable(600, 6, 11);
  const valid = syntheticTable(600, 6, 12);
  const cfg = {
    trees: 300,
    learningRate: 0.5,
    maxDepth: 6,
    minChildWeight: 0,
    earlyStoppingRounds: 10,
  };
  const m = await trainGbdt(train, cfg, { seed: 1, threads: 1, valid });
  const best = m.info.bestIteration as number;
  assert.ok(best >= 1 && best < 300, `best ${best}`);
  assert.equal(m.trees, best);
  assert.equal(m.info.treesTrained, best + 10, "stops after `patience` rounds without improvement");
  // the kept model is exactly the first `best` rounds
  const again = await trainGbdt(
    train,
    { ...cfg, trees: best, earlyStoppingRounds: 0 },
    { seed: 1, threads: 1 },
  );
  assert.deepEqual(again.predict(valid.values, valid.rows), m.predict(valid.values, valid.rows));
  // and its validation loss is the best one seen
  const p = m.predict(valid.values, valid.rows);
  let loss = 0;
  for (let i = 0; i < valid.rows; i++) loss -= Math.log(valid.labels[i] ? p[i] : 1 - p[i]);
  assert.ok(Math.abs(loss / valid.rows - (m.info.bestValidLoss as number)) < 1e-5);
});

test("thread count does not change the model", async () => {
  const train = syntheticTable(6000, 40, 5);
  const cfg = {
    trees: 6,
    subsample: 0.8,
    colsampleByTree: 0.8,
    colsampleByNode: 0.7,
    earlyStoppingRounds: 0,
  };
  const one = await trainGbdt(train, cfg, { seed: 9, threads: 1 });
  const two = await trainGbdt(train, cfg, { seed: 9, threads: 2 });
  const three = await trainGbdt(train, cfg, { seed: 9, threads: 3 });
  assert.deepEqual(two.serialize(), one.serialize());
  assert.deepEqual(three.serialize(), one.serialize());
});

test("thread count does not change the model on a table big enough for per-row jobs", async () => {
  // >= 65,536 rows: binning, gradients, score updates and the top partitions run on workers
  // (subsample 1: the GRAD job also resets the row order; PART + STITCH jobs split nodes)
  const train = syntheticTable(80_000, 9, 17);
  for (const subsample of [0.9, 1]) {
    const cfg = { trees: 3, maxDepth: 4, subsample, earlyStoppingRounds: 0 };
    const one = await trainGbdt(train, cfg, { seed: 4, threads: 1 });
    const two = await trainGbdt(train, cfg, { seed: 4, threads: 2 });
    const three = await trainGbdt(train, cfg, { seed: 4, threads: 3 });
    assert.deepEqual(two.serialize(), one.serialize(), `subsample ${subsample}`);
    assert.deepEqual(three.serialize(), one.serialize(), `subsample ${subsample}`);
  }
});

test("the WebAssembly histogram kernel grows the same model as the JavaScript loops", async () => {
  assert.equal(wasmHistogramAvailable(), true, "Node 20 has WebAssembly SIMD");
  const train = syntheticTable(70_000, 23, 3); // >= 65,536 rows: blocked root builds
  for (const cfg of [
    { trees: 4, maxDepth: 5, earlyStoppingRounds: 0 },
    { trees: 4, subsample: 0.7, colsampleByTree: 0.6, earlyStoppingRounds: 0 },
  ]) {
    const js = await trainGbdt(train, cfg, { seed: 2, threads: 1, kernel: "js" });
    const wasm = await trainGbdt(train, cfg, { seed: 2, threads: 1 });
    const wasm2 = await trainGbdt(train, cfg, { seed: 2, threads: 2 });
    assert.deepEqual(wasm.serialize(), js.serialize());
    assert.deepEqual(wasm2.serialize(), js.serialize());
  }
});

test("serialisation round trip predicts bit-identical scores", async () => {
  const train = syntheticTable(1500, 8, 21);
  const m = await trainGbdt(
    train,
    { trees: 25, growPolicy: "lossguide", maxDepth: 0, maxLeaves: 12, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const bytes = m.serialize();
  const back = gbdtFamily.load(bytes) as TreeModel;
  assert.deepEqual(back.predict(train.values, train.rows), m.predict(train.values, train.rows));
  assert.deepEqual(back.serialize(), bytes);
  // a Node Buffer inside a larger pool (as readFileSync returns) loads the same
  const pooled = Buffer.concat([Buffer.alloc(3, 7), Buffer.from(bytes)]).subarray(3);
  assert.deepEqual(
    gbdtFamily.load(pooled).predict(train.values, train.rows),
    back.predict(train.values, train.rows),
  );
  assert.deepEqual(back.importance(), m.importance());
  assert.ok(bytes.length < 25 * 23 * 21 + 4000, `compact: ${bytes.length} bytes`);
  const bad = bytes.slice();
  bad[0] = 0;
  assert.throws(
    () => gbdtFamily.load(bad),
    (e: unknown) => e instanceof CinerankError && e.code === "ERR_MODEL_FORMAT",
  );
  assert.throws(
    () => gbdtFamily.load(bytes.subarray(0, bytes.length - 3)),
    /ERR_MODEL_FORMAT|not a cinerank/,
  );
});

test("lossguide growth respects maxLeaves", async () => {
  const train = syntheticTable(2000, 6, 2);
  const m = await trainGbdt(
    train,
    { trees: 3, growPolicy: "lossguide", maxDepth: 0, maxLeaves: 7, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  for (let t = 0; t < m.trees; t++) {
    let leaves = 0;
    for (let i = m.forest.treeStart[t]; i < m.forest.treeStart[t + 1]; i++)
      if (m.forest.feature[i] < 0) leaves++;
    assert.equal(leaves, 7);
  }
});

test("minRowsPerLeaf and minChildWeight bound every leaf", async () => {
  const train = syntheticTable(1000, 5, 8);
  const m = await trainGbdt(
    train,
    { objective: "squared", trees: 3, maxDepth: 8, minRowsPerLeaf: 40, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  // squared error: hessian = 1 per row, so a leaf's cover is its row count
  for (let i = 0; i < m.forest.nodes; i++)
    if (m.forest.feature[i] < 0)
      assert.ok(m.forest.cover[i] >= 40, `leaf ${i} cover ${m.forest.cover[i]}`);
});

test("learns the synthetic task", async () => {
  const train = syntheticTable(4000, 8, 31);
  const valid = syntheticTable(2000, 8, 32);
  const m = await trainGbdt(train, { trees: 200, maxDepth: 4 }, { threads: 1, valid });
  const auc = rocAuc(m.predict(valid.values, valid.rows), valid.labels);
  assert.ok(auc > 0.8, `AUC ${auc}`);
});

test("family validates its config", () => {
  assert.equal(gbdtFamily.config({}).trees, 300);
  assert.throws(
    () => gbdtFamily.config({ maxDepth: -1 }),
    (e: unknown) =>
      e instanceof CinerankError && e.code === "ERR_INVALID_CONFIG" && /maxDepth/.test(e.message),
  );
  assert.throws(() => gbdtFamily.config({ depth: 3 } as never), /unknown option "depth"/);
  assert.throws(() => gbdtFamily.config({ growPolicy: "wide" } as never), /growPolicy/);
  for (const key of Object.keys(gbdtFamily.searchSpace.random))
    assert.ok(key in gbdtFamily.defaults, key);
});

test("bad tables are coded errors", async () => {
  const isArg = (e: unknown) => e instanceof CinerankError && e.code === "ERR_INVALID_ARGUMENT";
  await assert.rejects(trainGbdt(table([], 2, []), {}, { threads: 1 }), isArg);
  await assert.rejects(trainGbdt(table([1, 2, 3], 2, [0, 1]), {}, { threads: 1 }), isArg);
  await assert.rejects(
    trainGbdt(table([1, 2], 1, [0, 2]), {}, { threads: 1 }),
    /label of row 1 is 2/,
  );
  const valid = table([1, 2, 3, 4], 2, [0, 1]);
  await assert.rejects(
    trainGbdt(table([1, 2], 1, [0, 1]), {}, { threads: 1, valid }),
    /2 columns, expected 1/,
  );
});

test("parallel prediction is bit-identical to predict()", async () => {
  const train = syntheticTable(3000, 6, 41);
  const m = await trainGbdt(train, { trees: 30, earlyStoppingRounds: 0 }, { threads: 1 });
  const big = syntheticTable(40_000, 6, 42);
  const a = await m.predictParallel(big.values, big.rows, 1);
  // large enough for the prediction pool (rows x trees >= PARALLEL_MIN_WALKS)
  assert.ok(big.rows * m.trees >= PARALLEL_MIN_WALKS);
  assert.deepEqual(m.predict(big.values, big.rows), a);
  assert.deepEqual(await m.predictParallel(big.values, big.rows, 3), a);
  // more models than the pool caches, interleaved: each still scores exactly like one thread
  for (let k = 1; k <= 9; k++) {
    const part = new TreeModel(m.header, m.forest.slice(30 - k));
    const one = await part.predictParallel(big.values, big.rows, 1);
    assert.deepEqual(part.predict(big.values, big.rows), one, `model ${k}`);
    assert.deepEqual(m.predict(big.values, big.rows), a, `first model after ${k}`);
  }
  assert.ok(predictPoolWorkerChunks() > 0, "the pool's workers took part");
  // small batches (serving) stay in this thread and agree row for row
  assert.deepEqual(m.predict(big.values.subarray(6 * 100), 300), a.subarray(100, 400));
});

test("gbdt random search stays in ranges that do not block splitting", () => {
  // gamma up to 5 and minChildWeight up to 50 gave under-fitted, badly calibrated trials
  const r = gbdtSearchSpace.random;
  const max = (k: string) => (r[k] as { max: number }).max;
  assert.ok(max("gamma") <= 1, "gamma");
  assert.ok(max("minChildWeight") <= 10, "minChildWeight");
  assert.ok(max("maxDepth") <= 8, "maxDepth");
});
