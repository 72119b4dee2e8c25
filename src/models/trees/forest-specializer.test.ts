import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { ForestSpecializer, SPECIALIZE_MIN_ROWS } from "./forest-specializer.js";
import { trainGbdt } from "./gbdt.js";
import type { PackedForest } from "./packed-tree.js";
import { syntheticTable } from "./synthetic-table.js";

/** Rows of `base` with the `shared` columns set to one row's values in every row. */
function batch(
  base: Float32Array,
  cols: number,
  rows: number,
  shared: number[],
  from: number,
): Float32Array {
  const out = base.slice(0, rows * cols);
  for (let r = 0; r < rows; r++) for (const j of shared) out[r * cols + j] = base[from * cols + j];
  return out;
}

function assertBitIdentical(got: Float64Array, want: Float64Array, what: string): void {
  assert.equal(got.length, want.length);
  for (let r = 0; r < want.length; r++) {
    assert.ok(Object.is(got[r], want[r]), `${what}: row ${r} ${got[r]} vs ${want[r]}`);
  }
}

/** The whole-forest walk (PredictLayout.addRaw), never specialised. */
function reference(f: PackedForest, values: Float32Array, cols: number, rows: number) {
  const out = new Float64Array(rows);
  f.predictLayout().addRaw(values, cols, 0, rows, 0, f.trees, 0.5, out);
  return out;
}

test("a batch with shared columns walks the specialised forest, bit-identical (depthwise and lossguide, NaN or not)", async () => {
  const cols = 8;
  const train = syntheticTable(3000, cols, 51);
  const depthwise = await trainGbdt(
    train,
    { trees: 40, maxDepth: 6, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const lossguide = await trainGbdt(
    train,
    { trees: 30, growPolicy: "lossguide", maxDepth: 0, maxLeaves: 20, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const rng = new Rng(3);
  let specialised = 0;
  for (const m of [depthwise, lossguide]) {
    const f = m.forest;
    for (let trial = 0; trial < 24; trial++) {
      const rows = SPECIALIZE_MIN_ROWS + rng.int(300);
      const start = rng.int(train.rows - rows);
      const base = train.values.subarray(start * cols, (start + rows) * cols);
      // a random set of shared columns (column 3 holds NaNs: shared NaN, NaN in some rows)
      const shared = [...Array(cols).keys()].filter(() => rng.next() < 0.5);
      const from = rng.int(rows);
      const values = batch(base, cols, rows, shared, from);
      if (trial % 6 === 0) for (let r = 0; r < rows; r++) values[r * cols + 3] = 0.25; // no NaN
      if (trial % 6 === 1) for (let r = 0; r < rows; r++) values[r * cols + 3] = Number.NaN;
      const want = reference(f, values, cols, rows);
      const got = new Float64Array(rows);
      f.addRaw(values, cols, 0, rows, 0, f.trees, 0.5, got);
      assertBitIdentical(got, want, `trial ${trial} shared [${shared}]`);
      // both walks: WebAssembly (rows without NaN) and JavaScript
      for (const wasm of [true, false]) {
        const sp = new ForestSpecializer(f.predictLayout());
        sp.useWasm = wasm;
        const mine = new Float64Array(rows);
        if (sp.addRaw(values, cols, 0, rows, 0, f.trees, 0.5, mine)) {
          specialised++;
          assertBitIdentical(mine, want, `trial ${trial} wasm ${wasm}`);
        }
      }
    }
  }
  assert.ok(specialised >= 60, `${specialised} of 96 batches specialised`);
});

test("specialised prediction: row and tree ranges, all columns shared, no column shared", async () => {
  const cols = 6;
  const train = syntheticTable(1200, cols, 52);
  const m = await trainGbdt(
    train,
    { trees: 25, maxDepth: 5, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const f = m.forest;
  const layout = f.predictLayout();
  const rows = 200;
  // no NaN: the WebAssembly walk takes these rows
  const values = batch(train.values, cols, rows, [0, 1, 2], 7).map((x) =>
    Number.isNaN(x) ? 0.5 : x,
  );
  // rows [10, 150) and trees [5, 20), added onto existing values
  const want = new Float64Array(rows).fill(1.5);
  layout.addRaw(values, cols, 10, 150, 5, 20, 0.25, want);
  for (const wasm of [true, false]) {
    const got = new Float64Array(rows).fill(1.5);
    const js = new ForestSpecializer(layout);
    js.useWasm = wasm;
    assert.equal(js.addRaw(values, cols, 10, 150, 5, 20, 0.25, got), true);
    assert.equal(js.lastWalk, wasm ? "wasm" : "js");
    assertBitIdentical(got, want, `ranges, wasm ${wasm}`);
  }
  // 1,500 rows: the WebAssembly walk in blocks
  const many = batch(syntheticTable(1500, cols, 53).values, cols, 1500, [1, 4], 3).map((x) =>
    Number.isNaN(x) ? -1 : x,
  );
  const manyWant = reference(f, many, cols, 1500);
  const manyGot = new Float64Array(1500);
  f.addRaw(many, cols, 0, 1500, 0, f.trees, 0.5, manyGot);
  assertBitIdentical(manyGot, manyWant, "1,500 rows");
  const sp = new ForestSpecializer(layout);
  // every column shared: each tree is one leaf, every row the same score as the first
  const same = batch(train.values, cols, rows, [0, 1, 2, 3, 4, 5], 9);
  const all = new Float64Array(rows);
  assert.equal(sp.addRaw(same, cols, 0, rows, 0, f.trees, 1, all), true);
  assertBitIdentical(
    all,
    reference(f, same, cols, rows).map((x) => x * 2),
    "all shared",
  );
  // nothing shared: not handled (the caller walks the whole forest)
  const none = new Float64Array(rows);
  assert.equal(sp.addRaw(train.values, cols, 0, rows, 0, f.trees, 1, none), false);
  assert.ok(none.every((x) => x === 0));
});

test("splits every row takes the same way (a narrow range of values, not shared) are resolved, bit-identical", async () => {
  const cols = 6;
  const train = syntheticTable(1500, cols, 54);
  const m = await trainGbdt(
    train,
    { trees: 30, maxDepth: 6, earlyStoppingRounds: 0 },
    { threads: 1 },
  );
  const f = m.forest;
  const rows = 120;
  const rng = new Rng(9);
  const values = batch(train.values, cols, rows, [0], 11).map((x) => (Number.isNaN(x) ? 0.5 : x));
  // columns 1 and 2 take two nearby values each: most splits on them go one way for all rows
  for (const j of [1, 2]) {
    const lo = values[j];
    for (let r = 0; r < rows; r++) values[r * cols + j] = rng.next() < 0.5 ? lo : lo + 1e-3;
  }
  for (const wasm of [true, false]) {
    const sp = new ForestSpecializer(f.predictLayout());
    sp.useWasm = wasm;
    const got = new Float64Array(rows);
    assert.equal(sp.addRaw(values, cols, 0, rows, 0, f.trees, 0.5, got), true);
    assertBitIdentical(got, reference(f, values, cols, rows), `narrow ranges, wasm ${wasm}`);
  }
});
