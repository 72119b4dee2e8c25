import assert from "node:assert/strict";
import { test } from "node:test";
import { quantileEdges } from "./binning.js";

test("quantile edges of a heavily tied column fall at the ends of the runs, never lost", () => {
  // 300 distinct values, each repeated 1..40 times (a per-user feature repeats once per rating)
  const vals: number[] = [];
  for (let v = 0; v < 300; v++) for (let r = 0; r < 1 + ((v * 7) % 40); r++) vals.push(v);
  const sorted = Float32Array.from(vals);
  const e = quantileEdges(sorted, 16);
  // 15 cuts for 16 bins, strictly increasing, each halfway between two neighbouring values
  assert.equal(e.length, 15);
  for (let i = 1; i < e.length; i++) assert.ok(e[i] > e[i - 1]);
  for (const c of e) assert.equal(c - Math.floor(c), 0.5);
  // a column that is one value except for a few others still gets its edges
  const mostlyZero = Float32Array.from([
    ...Array(1000).fill(0),
    ...Array.from({ length: 300 }, (_, i) => i + 1),
  ]);
  const z = quantileEdges(mostlyZero, 16);
  assert.ok(z.length >= 4, `only ${z.length} edges`);
  assert.equal(z[0], 0.5);
});
