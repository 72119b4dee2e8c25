/**
 * Biased MF on the real ml-latest-small (../shared/data, never copied into the repo), stratified
 * split seed 42: the EVALUATION.md target, test RMSE <= 0.86, with the default (CG, WebAssembly
 * kernel) and the exact Cholesky solver, which must agree closely.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Rng } from "../../core/index.js";
import { loadDataset } from "../../data/index.js";
import { splitDataset } from "../../splits/index.js";
import { fitBiasedMf } from "./biased-mf.js";
import { ratingErrors } from "./rating-errors.js";
import { ratingTriples } from "./rating-triples.js";

// dist/src/models/factorization -> project root
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const dir = resolve(root, "..", "shared", "data", "ml-latest-small");

test("biased MF meets test RMSE <= 0.86 on ml-latest-small (stratified, seed 42)", {
  skip: !existsSync(dir) && "no ../shared/data/ml-latest-small",
}, async (t) => {
  const { dataset } = await loadDataset(dir);
  const split = splitDataset(dataset, { kind: "stratified", seed: 42 });
  const sizes = { nUsers: dataset.users.size, nMovies: dataset.movies.size };
  const train = ratingTriples(dataset.ratings, split.train, sizes);
  const testRows = ratingTriples(dataset.ratings, split.test, sizes);
  const cg = ratingErrors(await fitBiasedMf(train, {}, { rng: new Rng(42), threads: 2 }), testRows);
  const exact = ratingErrors(
    await fitBiasedMf(train, { solver: "cholesky" }, { rng: new Rng(42), threads: 2 }),
    testRows,
  );
  t.diagnostic(`test RMSE: CG ${cg.rmse.toFixed(4)}, Cholesky ${exact.rmse.toFixed(4)}`);
  assert.ok(cg.rmse <= 0.86, `CG test RMSE ${cg.rmse}`);
  assert.ok(exact.rmse <= 0.86, `Cholesky test RMSE ${exact.rmse}`);
  assert.ok(Math.abs(cg.rmse - exact.rmse) < 0.005, `CG ${cg.rmse} vs Cholesky ${exact.rmse}`);
});
