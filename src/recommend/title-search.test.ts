import assert from "node:assert/strict";
import { test } from "node:test";
import { foldText, TitleIndex, titleKeys } from "./title-search.js";

test("titleKeys folds case, accents, moved articles and alternative titles", () => {
  assert.ok(titleKeys("Matrix, The (1999)").includes("the matrix"));
  assert.ok(titleKeys("Matrix, The (1999)").includes("matrix"));
  const city = titleKeys("City of Lost Children, The (Cité des enfants perdus, La) (1995)");
  assert.ok(city.includes("the city of lost children"));
  assert.ok(city.includes("la cite des enfants perdus"));
  assert.ok(titleKeys("Seven (a.k.a. Se7en) (1995)").includes("se7en"));
  assert.equal(
    foldText("Amélie  (Fabuleux destin d'Amélie Poulain)"),
    "amelie fabuleux destin damelie poulain",
  );
});

test("search ranks exact, then prefix, then word matches; popularity breaks ties", () => {
  const titles = [
    "Toy Story (1995)",
    "Toy Story 2 (1999)",
    "Story of Us, The (1999)",
    "Matrix, The (1999)",
    "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    "Toy Story 3 (2010)",
  ];
  const idx = new TitleIndex(titles, [200, 100, 5, 300, 120, 50]);
  const toy = idx.search("toy story", 10).map((h) => titles[h.movie]);
  assert.deepEqual(toy.slice(0, 3), [
    "Toy Story (1995)",
    "Toy Story 2 (1999)",
    "Toy Story 3 (2010)",
  ]);
  assert.equal(titles[idx.search("The Matrix", 1)[0].movie], "Matrix, The (1999)");
  assert.equal(titles[idx.search("matrix, the", 1)[0].movie], "Matrix, The (1999)");
  assert.equal(titles[idx.search("MATRIX", 1)[0].movie], "Matrix, The (1999)");
  assert.equal(titles[idx.search("amelie", 1)[0].movie], titles[4]);
  assert.equal(titles[idx.search("story us", 1)[0].movie], "Story of Us, The (1999)");
  assert.deepEqual(idx.search("zzz", 5), []);
  assert.deepEqual(idx.search("  ", 5), []);
  assert.deepEqual(
    idx.search("toy", 10, (m) => m !== 0).map((h) => h.movie),
    [1, 5],
  );
});
