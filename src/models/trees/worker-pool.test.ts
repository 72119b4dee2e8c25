import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkerPool } from "./worker-pool.js";
import { createWorkspace, J_KIND, J_UNITS, KIND_LSTITCH, UNIT_INTS } from "./workspace.js";

// Many tiny jobs of changing part counts, back to back: every part of every job runs exactly
// once, and none runs against the next job's description (a claim made at the end of one job
// must not be read with the next job's part count).
test("worker pool: jobs of changing part counts each run every part exactly once", async () => {
  const rows = 4096;
  const ws = createWorkspace({
    rows,
    cols: 4,
    bins: new Uint8Array(new SharedArrayBuffer(rows * 4)),
    binsT: new Uint8Array(new SharedArrayBuffer(rows * 4)),
    nBins: new Int32Array(4),
    missingBin: new Int32Array(4),
    withCount: false,
    slots: 3,
    params: { lambda: 1, gamma: 0, minChildWeight: 1, minRowsPerLeaf: 1 },
    shared: true,
    rowJobs: { objective: "binary", values: new Float32Array(rows * 4), srcCols: 4 },
  });
  const pool = await WorkerPool.create(3, ws);
  try {
    // each LSTITCH unit u copies its one "left row" partL[u] to idx[u] (destL = u, no right rows)
    for (let u = 0; u < rows; u++) ws.partL[u] = u + 1;
    for (let job = 0; job < 3000; job++) {
      const n = 1 + ((job * 37) % 61);
      const U = ws.units;
      for (let u = 0; u < n; u++) {
        U.set([0, u, u + 1, 0, 0, 0, u, 0], u * UNIT_INTS);
        ws.unitOut[u] = 1;
      }
      ws.idx.fill(0, 0, 64);
      ws.jobI[J_KIND] = KIND_LSTITCH;
      ws.jobI[J_UNITS] = n;
      pool.run(ws);
      ws.jobI[J_UNITS] = 0;
      for (let u = 0; u < 64; u++) {
        if (ws.idx[u] !== (u < n ? u + 1 : 0)) assert.fail(`job ${job} (${n} parts): idx[${u}]`);
      }
    }
  } finally {
    await pool.close();
  }
});
