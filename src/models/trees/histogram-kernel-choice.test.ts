import assert from "node:assert/strict";
import { test } from "node:test";
import { preferJsHistograms } from "./workspace.js";

test("the JS histogram loops are chosen only when low-cardinality features fill many groups", () => {
  const nb = (xs: number[]) => Int32Array.from(xs);
  // 3 groups of 256-bin features and a padding column: the WebAssembly kernel
  assert.equal(preferJsHistograms(nb([...Array(11).fill(256), 1])), false);
  // one near-constant feature in 12 groups: still the kernel
  assert.equal(preferJsHistograms(nb([2, ...Array(47).fill(256)])), false);
  // binary columns in every group: the JS loops
  assert.equal(preferJsHistograms(nb(Array(16).fill(2))), true);
  // 2 of 4 groups with a 5-bin feature: 2*2 + 0.6*2 > 4
  assert.equal(
    preferJsHistograms(nb([5, 256, 256, 256, 5, 256, 256, 256, ...Array(8).fill(256)])),
    true,
  );
  // constant columns alone never count
  assert.equal(preferJsHistograms(nb(Array(8).fill(1))), false);
});
