import assert from "node:assert/strict";
import { test } from "node:test";
import { RowsScratch } from "./rows-scratch.js";

test("RowsScratch: the same buffer while it is long enough, a longer one when not", () => {
  const s = new RowsScratch();
  const a = s.get(100);
  assert.ok(a.length >= 100);
  assert.equal(s.get(50), a);
  assert.equal(s.get(a.length), a);
  const b = s.get(a.length + 1);
  assert.notEqual(b, a);
  assert.ok(b.length >= 2 * a.length, "grows geometrically");
  assert.equal(s.get(10), b);
});
