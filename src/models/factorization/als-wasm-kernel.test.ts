/**
 * The WebAssembly CG kernel against the scalar JavaScript one on the same problem: same
 * minimiser steps, so the factors and losses agree up to floating-point summation order. Odd k
 * (padded rows) and entities whose rating count is not a multiple of the 4-row unroll are both
 * exercised, for explicit (biased) and implicit MF.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { AlsEngine, type AlsSettings } from "./als-engine.js";
import { plantedRatings } from "./test-fixtures.js";

const planted = plantedRatings({
  nUsers: 120,
  nMovies: 90,
  rank: 3,
  density: 0.3,
  noise: 0.3,
  seed: 11,
});

async function run(
  s: AlsSettings,
): Promise<{ U: Float64Array; V: Float64Array; loss: number[]; wasm: boolean }> {
  const engine = new AlsEngine(planted.train, s, new Rng(3));
  const wasm = engine.shared.memory !== null;
  const loss = await engine.run(4, true, "test");
  return {
    U: Float64Array.from(engine.shared.U),
    V: Float64Array.from(engine.shared.V),
    loss,
    wasm,
  };
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const explicit of [true, false]) {
  test(`wasm and JS CG kernels agree (${explicit ? "explicit" : "implicit"}, k = 5, 1 and 2 threads)`, async () => {
    const base: AlsSettings = {
      k: 5,
      explicit,
      regFactor: 0.05,
      regBias: 0.01,
      weightedReg: explicit,
      alpha: explicit ? 0 : 2,
      binary: false,
      cgSteps: 3,
      threads: 1,
      initStd: 0.1,
    };
    const js = await run({ ...base, kernel: "js" });
    const wasm = await run(base);
    const wasm2 = await run({ ...base, threads: 2 });
    assert.equal(js.wasm, false);
    assert.equal(wasm.wasm, true, "WebAssembly SIMD kernel not used");
    assert.ok(maxDiff(js.U, wasm.U) < 1e-9, `U differs by ${maxDiff(js.U, wasm.U)}`);
    assert.ok(maxDiff(js.V, wasm.V) < 1e-9, `V differs by ${maxDiff(js.V, wasm.V)}`);
    for (let i = 0; i < js.loss.length; i++) {
      assert.ok(Math.abs(js.loss[i] - wasm.loss[i]) <= 1e-9 * Math.abs(js.loss[i]), `loss ${i}`);
      if (i > 0) assert.ok(wasm.loss[i] < wasm.loss[i - 1], `loss rose at ${i}`);
    }
    assert.deepEqual(wasm2.U, wasm.U);
    assert.deepEqual(wasm2.V, wasm.V);
  });
}
