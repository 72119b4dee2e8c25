import assert from "node:assert/strict";
import { test } from "node:test";
import { fmtInt, reasonFeatures, reasonKindOf } from "./reasons.js";

test("every genre's multi-hot column is a genre reason, hyphenated genres included", () => {
  // feature-spec spells "Sci-Fi" and "Film-Noir" as genre_sci_fi and genre_film_noir
  for (const f of [
    "genre_sci_fi",
    "genre_film_noir",
    "genre_drama",
    "genre_children",
    "genre_imax",
  ])
    assert.equal(reasonKindOf(f), "genre", f);
  assert.equal(reasonKindOf("user_genre_match"), "genre-preference");
  assert.equal(reasonKindOf("user_mean"), null);
  assert.deepEqual([...reasonFeatures(["user_mean", "genre_sci_fi", "knn_score"])], [0, 1, 1]);
});

test("fmtInt groups digits as toLocaleString('en-US') does", () => {
  const values = [0, -0, 0.4, -0.4, 0.5, 1, 9, 12, 999, 999.5, 1000, 2100, 12345, 999999, 1234567];
  for (const v of [...values, ...values.map((x) => -x), 1e20, 1e21, 123456789012345]) {
    assert.equal(fmtInt(v), Math.round(v).toLocaleString("en-US"), String(v));
  }
});
