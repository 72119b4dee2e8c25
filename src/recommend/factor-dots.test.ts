import assert from "node:assert/strict";
import { test } from "node:test";
import { dotAll, FactorDots } from "./factor-dots.js";

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
}

test("FactorDots: the SIMD kernel's scores are bit-identical to dotAll, any n and k", () => {
  const rnd = rng(11);
  for (const [n, k] of [
    [1, 1],
    [7, 3],
    [8, 32],
    [23, 7],
    [1001, 32],
    [64, 17],
  ]) {
    // factors of very different magnitudes: a different summation order would show
    const Y = Float32Array.from({ length: n * k }, () => rnd() * 10 ** Math.floor(rnd() * 8));
    const dots = new FactorDots(Y, k);
    assert.ok(dots.wasm, "Node 20 has WebAssembly SIMD: the kernel must run");
    const js = new FactorDots(Y, k, false);
    assert.equal(js.wasm, false);
    for (let t = 0; t < 3; t++) {
      const x = Float32Array.from({ length: k }, () => rnd() * 10 ** Math.floor(rnd() * 6));
      const want = dotAll(x, Y, k);
      const got = dots.scores(x);
      assert.equal(got.length, n);
      assert.deepEqual(got, want, `n ${n} k ${k}`);
      assert.deepEqual(js.scores(x), want);
      // into a caller's buffer of length n: written and returned; another length: not used
      const into = new Float32Array(n).fill(Number.NaN);
      assert.equal(dots.scores(x, into), into);
      assert.deepEqual(into, want);
      const short = new Float32Array(n + 1);
      assert.notEqual(dots.scores(x, short), short);
    }
  }
});
