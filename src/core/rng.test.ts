import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng, rngFor } from "./rng.js";

test("same seed gives the same stream; different seeds differ", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.nextUint32()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => c.nextUint32()),
  );
});

test("uniform and normal draws have the expected moments", () => {
  const r = new Rng(7);
  let s = 0;
  let s2 = 0;
  let u = 0;
  const n = 100000;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    u += r.next();
  }
  assert.ok(Math.abs(s / n) < 0.02);
  assert.ok(Math.abs(s2 / n - 1) < 0.03);
  assert.ok(Math.abs(u / n - 0.5) < 0.01);
});

test("int stays in range and shuffle is a permutation", () => {
  const r = rngFor(1, 3);
  for (let i = 0; i < 1000; i++) {
    const k = r.int(7);
    assert.ok(k >= 0 && k < 7 && Number.isInteger(k));
  }
  const a = r.shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
});
