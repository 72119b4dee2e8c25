import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import {
  createWorkspace,
  executeJob,
  J_END,
  J_KIND,
  J_LEAF_OF,
  J_LEAVES,
  J_START,
  KIND_GRAD,
  KIND_RAW,
  LEAF_FIELDS,
} from "./workspace.js";

// The RAW job adds each position's leaf value to raw[idx[k]]: from the leaf table (leaves as
// first position + value, and unpartitioned splits routing each row by its bin) it must add
// exactly what the per-position values in posVal add; with J_LEAF_OF it notes each row's leaf
// and the next GRAD job adds the same values row by row.
test("the RAW job adds the same leaf values from the leaf table as from per-position values", () => {
  const rows = 5000;
  const rng = new Rng(11);
  const perm = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  // leaves tile [0, n) with ragged sizes, one empty
  const starts = [0, 1, 7, 7, 900, 901, 2500, 4199];
  const values = starts.map(() => Math.fround(rng.next() - 0.5));
  // segments 4 and 6 are splits left unpartitioned: feature 2 at bin 9 (missing bin 20, rows
  // there go left) and feature 1 at bin 3 (no missing bin)
  const splits = new Map([
    [4, { f: 2, bin: 9, dl: 1, right: -0.125 }],
    [6, { f: 1, bin: 3, dl: 0, right: 0.375 }],
  ]);
  const missingBin = Int32Array.from([-1, -1, 20, -1]);
  const binsT = new Uint8Array(rows * 4);
  for (let i = 0; i < binsT.length; i++) binsT[i] = rng.int(21);
  /** raw and gh after RAW (mode) over positions [0, n) and a GRAD job. */
  const run = (
    mode: "posVal" | "table" | "leafOf",
    parts: number,
    n: number,
  ): [Float64Array, Float64Array] => {
    const table = mode !== "posVal";
    const ws = createWorkspace({
      rows,
      cols: 4,
      bins: new Uint8Array(rows * 4),
      binsT,
      nBins: Int32Array.from([1, 21, 21, 1]),
      missingBin,
      withCount: false,
      slots: 3,
      params: { lambda: 1, gamma: 0, minChildWeight: 1, minRowsPerLeaf: 1 },
      shared: false,
      rowJobs: { objective: "binary", values: new Float32Array(rows * 4), srcCols: 4 },
    });
    ws.idx.set(perm);
    ws.raw.fill(0.25);
    ws.jobI[J_KIND] = KIND_RAW;
    ws.jobI[J_START] = 0;
    ws.jobI[J_END] = n;
    if (table) {
      // (the empty leaf is left out, as gbdt.ts does)
      let l = 0;
      const F = LEAF_FIELDS;
      for (let i = 0; i < starts.length; i++) {
        if (i + 1 < starts.length && starts[i + 1] === starts[i]) continue;
        const sp = splits.get(i);
        ws.leafTable.set(
          sp ? [starts[i], sp.f, values[i], sp.right, sp.bin, sp.dl] : [starts[i], -1, values[i]],
          F * l,
        );
        l++;
      }
      ws.jobI[J_LEAVES] = l;
    } else {
      for (let i = 0; i < starts.length; i++) {
        const end = i + 1 < starts.length ? starts[i + 1] : n;
        const sp = splits.get(i);
        for (let k = starts[i]; k < end; k++) {
          let left = true;
          if (sp) {
            const c = binsT[sp.f * rows + perm[k]];
            left = c === missingBin[sp.f] ? sp.dl === 1 : c <= sp.bin;
          }
          ws.posVal[k] = left ? values[i] : (sp?.right ?? 0);
        }
      }
      ws.jobI[J_LEAVES] = 0;
    }
    ws.jobI[J_LEAF_OF] = mode === "leafOf" ? 1 : 0;
    for (let p = parts - 1; p >= 0; p--) executeJob(ws, p, parts);
    if (mode === "leafOf")
      assert.ok(
        ws.raw.every((v) => v === 0.25),
        "RAW left raw alone",
      );
    ws.jobI[J_KIND] = KIND_GRAD;
    for (let p = 0; p < parts; p++) executeJob(ws, p, parts);
    return [ws.raw.slice(), ws.gh.slice()];
  };
  // positions [0, 4200): a row subsample, the rest untouched
  const [want] = run("posVal", 1, 4200);
  assert.equal(want.filter((v) => v === 0.25).length, rows - 4200, "rows outside [0, n) untouched");
  for (const parts of [1, 3, 8, 64]) {
    assert.deepEqual(run("table", parts, 4200)[0], want, `${parts} parts`);
    assert.deepEqual(run("posVal", parts, 4200)[0], want, `${parts} parts, posVal`);
  }
  // all rows: the leaf codes and the GRAD job's additions
  const all = run("posVal", 1, rows);
  for (const parts of [1, 3, 8]) {
    assert.deepEqual(run("leafOf", parts, rows), all, `${parts} parts, leafOf`);
    assert.deepEqual(run("table", parts, rows), all, `${parts} parts, table, all rows`);
  }
});
