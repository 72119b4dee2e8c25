import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { GramAccumulator } from "./gram-accumulator.js";

/** Fill `n` rows of a block with seeded values and weights; returns them row-major for checking. */
function fill(g: GramAccumulator, n: number, rng: Rng): { z: number[][]; h: number[] } {
  const z: number[][] = [];
  const h: number[] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    const hi = rng.next();
    g.h[i] = hi;
    for (let c = 0; c < g.d; c++) {
      const v = rng.normal();
      row.push(v);
      g.z[c * g.block + i] = v;
    }
    z.push(row);
    h.push(hi);
  }
  return { z, h };
}

for (const d of [1, 3, 6, 83]) {
  test(`gram: wasm and JS kernels give the same doubles, and the exact weighted sum (d=${d})`, () => {
    const wasm = new GramAccumulator(d, { block: 16 });
    const js = new GramAccumulator(d, { block: 16, wasm: false });
    assert.equal(js.usesWasm, false);
    const ref = new Float64Array(d * d);
    for (const g of [wasm, js]) g.reset();
    // two full blocks and a partial one (stale values past n must not count)
    for (const n of [16, 16, 5]) {
      const seed = 100 + n;
      const a = fill(wasm, n, new Rng(seed));
      fill(js, n, new Rng(seed));
      wasm.flush(n);
      js.flush(n);
      for (let i = 0; i < n; i++)
        for (let r = 0; r < d; r++)
          for (let c = 0; c < d; c++) ref[r * d + c] += a.h[i] * a.z[i][r] * a.z[i][c];
    }
    const outW = new Float64Array(d * d);
    const outJ = new Float64Array(d * d);
    wasm.result(outW);
    js.result(outJ);
    assert.deepEqual(outW, outJ);
    for (let k = 0; k < d * d; k++) {
      assert.ok(Math.abs(outW[k] - ref[k]) < 1e-9 * Math.max(1, Math.abs(ref[k])), `entry ${k}`);
    }
  });
}
