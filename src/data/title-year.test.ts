import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTitleYear } from "./title-year.js";

test("trailing year, inner parentheses, trailing spaces, ranges, none", () => {
  assert.deepEqual(parseTitleYear("Toy Story (1995)"), { name: "Toy Story", year: 1995 });
  assert.deepEqual(parseTitleYear("Seven (a.k.a. Se7en) (1995)"), {
    name: "Seven (a.k.a. Se7en)",
    year: 1995,
  });
  assert.deepEqual(parseTitleYear("American President, The (1995)   "), {
    name: "American President, The",
    year: 1995,
  });
  assert.deepEqual(parseTitleYear("Cosmos (1980-1981)"), { name: "Cosmos", year: 1980 });
  assert.deepEqual(parseTitleYear("Babylon 5"), { name: "Babylon 5", year: null });
  assert.deepEqual(parseTitleYear("1984 (a.k.a. Nineteen Eighty-Four)"), {
    name: "1984 (a.k.a. Nineteen Eighty-Four)",
    year: null,
  });
});
