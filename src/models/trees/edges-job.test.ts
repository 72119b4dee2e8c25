import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { fitBins, fitEdgeRange, nanColumns } from "./binning.js";
import {
  createWorkspace,
  executeJob,
  J_END,
  J_KIND,
  J_PB,
  J_START,
  KIND_EDGES,
  KIND_NAN,
} from "./workspace.js";

// 6 columns (workspace stride 8): col 1 has NaNs only in rows outside the sample, col 3 NaNs in
// sampled rows, col 4 is constant, col 5 takes few distinct values
function fixture(rows: number, cols: number): Float32Array {
  const rng = new Rng(7);
  const v = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    v[o] = rng.next() * 10 - 5;
    v[o + 1] = r % 3 !== 0 && r % 97 === 1 ? Number.NaN : rng.next() ** 3;
    v[o + 2] = -rng.next();
    v[o + 3] = r % 50 === 0 ? Number.NaN : rng.next() * 1000;
    v[o + 4] = 2.5;
    v[o + 5] = Math.floor(rng.next() * 7);
  }
  return v;
}

test("the NAN and EDGES jobs fit the same edges as fitEdgeRange, for any part count", () => {
  const rows = 3000;
  const cols = 6;
  const stride = 8;
  const values = fixture(rows, cols);
  const sample = new Int32Array(Math.ceil(rows / 3)).map((_, i) => 3 * i);
  const nan = new Uint8Array(cols);
  nanColumns(values, cols, 0, rows, nan);
  assert.deepEqual(Array.from(nan), [0, 1, 0, 1, 0, 0]);
  const want = fitEdgeRange(values, cols, sample, 0, cols, 64, nan);
  for (const parts of [1, 3, 8]) {
    const ws = createWorkspace({
      rows,
      cols: stride,
      bins: new Uint8Array(rows * stride),
      binsT: new Uint8Array(rows * stride),
      nBins: new Int32Array(stride),
      missingBin: new Int32Array(stride),
      withCount: false,
      slots: 3,
      params: { lambda: 1, gamma: 0, minChildWeight: 1, minRowsPerLeaf: 1 },
      shared: false,
      rowJobs: { objective: "binary", values, srcCols: cols },
    });
    ws.idx.set(sample);
    ws.jobI[J_KIND] = KIND_NAN;
    ws.jobI[J_START] = 0;
    ws.jobI[J_END] = rows;
    for (let p = 0; p < parts; p++) executeJob(ws, p, parts);
    ws.jobI[J_KIND] = KIND_EDGES;
    ws.jobI[J_END] = sample.length;
    ws.jobI[J_PB] = 64;
    for (let p = parts - 1; p >= 0; p--) executeJob(ws, p, parts);
    for (let f = 0; f < stride; f++) {
      const e = f < cols ? want[f] : new Float32Array(0);
      const missing = f < cols && nan[f] === 1;
      assert.equal(ws.nBins[f], e.length + 1, `nBins of feature ${f}, ${parts} parts`);
      assert.equal(ws.missingBin[f], missing ? e.length + 1 : -1, `missingBin ${f}`);
      assert.equal(ws.binMiss[f], missing ? e.length + 1 : 0, `binMiss ${f}`);
      assert.deepEqual(ws.binTable.slice(f * 256, f * 256 + e.length), e, `edges ${f}`);
      assert.ok(
        ws.binTable.subarray(f * 256 + e.length, (f + 1) * 256).every((x) => x === Infinity),
      );
    }
    assert.equal(ws.nBins[4], 1, "constant feature: one bin");
    assert.equal(ws.nBins[5], 7, "7 distinct values: one bin each");
  }
});

test("fitBins: a NaN outside the edge sample still gets a missing bin", () => {
  const rows = 210_000; // more than the 200,000-row edge sample
  const cols = 6;
  const values = fixture(rows, cols);
  // column 2: a single NaN; whether or not the sample holds that row, the bin must exist
  values[123_457 * cols + 2] = Number.NaN;
  const m = fitBins(values, rows, cols, 256, new Rng(3));
  assert.equal(m.missingBin[2], m.nBins[2]);
  assert.equal(m.nBins[2], 255, "a feature with a missing bin keeps 255 value bins");
  assert.equal(m.missingBin[0], -1);
});
