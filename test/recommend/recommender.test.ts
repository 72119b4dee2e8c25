/**
 * Recommender logic on the tiny fixture (test/fixtures/tiny-recommender.ts): exclusion of rated
 * movies, filters, reasons that follow the contributions, cold start, a new user's few ratings,
 * live updates persisted through the log, predict, similar and title search.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryRatingLog } from "../../src/recommend/index.js";
import { tinyRecommender } from "../fixtures/tiny-recommender.js";

const idsOf = (items: { movieId: number }[]) => items.map((i) => i.movieId);

test("recommendations exclude rated movies, rank by P(like) and respect filters", () => {
  const { rec } = tinyRecommender();
  const out = rec.recommend(1, { k: 10 });
  assert.equal(out.coldStart, false);
  assert.equal(out.strategy, "model");
  const ids = idsOf(out.items);
  for (const rated of [3, 1, 7, 6])
    assert.ok(!ids.includes(rated), `rated movie ${rated} excluded`);
  assert.deepEqual(
    ids.slice(0, 2).sort(),
    [4, 5],
    "the sci-fi fan gets Aliens and The Matrix first",
  );
  for (let i = 1; i < out.items.length; i++)
    assert.ok(out.items[i - 1].pLike >= out.items[i].pLike);
  assert.deepEqual(
    out.items.map((i) => i.rank),
    out.items.map((_, i) => i + 1),
  );
  const romance = rec.recommend(1, { k: 10, genres: ["romance"] });
  assert.deepEqual(idsOf(romance.items), [8]);
  const nineties = rec.recommend(1, { k: 10, minYear: 1990, maxYear: 1999 });
  assert.ok(nineties.items.every((i) => i.year !== null && i.year >= 1990 && i.year <= 1999));
  const popular = rec.recommend(1, { k: 10, minRatings: 4 });
  assert.ok(popular.items.every((i) => i.ratingCount >= 4));
  assert.throws(() => rec.recommend(1, { genres: ["Space Opera"] }), /unknown genre "Space Opera"/);
  assert.throws(() => rec.recommend(1, { k: 0 }), /k must be an integer in 1..100/);
});

test("reasons are the strongest positive contributions, in order, and match the model", () => {
  const { rec } = tinyRecommender();
  const out = rec.recommend(1, { k: 3 });
  const names = rec.parts.model.featureNames;
  for (const item of out.items) {
    assert.ok(
      item.reasons.length >= 1 && item.reasons.length <= 3,
      `${item.title}: ${item.reasons}`,
    );
    const expl = item.explanation ?? [];
    // Reasons are the explanation's phrases; only when no contribution has a phrase (here:
    // a below-average movie lifted by the user's own mean) do profile reasons stand in.
    if (expl.length > 0)
      assert.deepEqual(
        item.reasons,
        expl.map((e) => e.reason),
      );
    // contributions are recomputed from the same features: same values, decreasing, positive
    const row = rec.parts.featurizer.forUser(
      rec.servingUser(1),
      Int32Array.of(rec.catalog.indexOf(item.movieId)),
    );
    const c = rec.parts.model.contributions(row);
    const logit = c.values.reduce((a, b) => a + b, c.bias);
    assert.ok(
      Math.abs(1 / (1 + Math.exp(-logit)) - item.pLike) < 1e-3,
      "contributions sum to the score",
    );
    for (let i = 0; i < expl.length; i++) {
      const j = names.indexOf(expl[i].feature);
      assert.ok(Math.abs(c.values[j] - expl[i].contribution) < 1e-6);
      assert.ok(expl[i].contribution > 0);
      if (i > 0) assert.ok(expl[i - 1].contribution >= expl[i].contribution);
    }
  }
  const aliens = out.items.find((i) => i.movieId === 4)!;
  assert.ok(
    aliens.reasons.includes("people who liked Alien liked this"),
    aliens.reasons.join(" | "),
  );
  assert.ok(
    aliens.reasons.some((r) => /^you rate (Sci-Fi|Horror) \d\.\d above your average$/.test(r)),
    aliens.reasons.join(" | "),
  );
});

test("cold start: an unknown user gets the popularity-and-quality ranking, optionally by genre", () => {
  const { rec } = tinyRecommender();
  const out = rec.recommend(999, { k: 3 });
  assert.equal(out.coldStart, true);
  assert.equal(out.strategy, "popularity");
  // Aliens and Heat: liked by 2 of 2 (Wilson bound 0.34) beat Toy Story 2: 3 of 4 (0.30)
  assert.deepEqual(idsOf(out.items), [4, 6, 2]);
  assert.equal(out.items[0].reasons[0], "highly rated: 4.8 from 2 ratings");
  const scifi = rec.recommend(999, { k: 2, genres: ["Sci-Fi"] });
  assert.ok(scifi.items.every((i) => i.genres.includes("Sci-Fi")));
  assert.ok(scifi.items[0].reasons.some((r) => r.includes("Sci-Fi")));
});

test("live updates: a new user's few ratings switch to profile recommendations; more ratings to the model", async () => {
  const log = new MemoryRatingLog();
  const { rec } = tinyRecommender({ log });
  assert.equal(rec.recommend(777, { k: 3 }).strategy, "popularity");
  const res = await rec.rate(777, [{ movieId: 3, rating: 5 }]);
  assert.deepEqual(res, { userId: 777, added: 1, ratingCount: 1 });
  assert.equal(log.rows.length, 1);
  const after = rec.recommend(777, { k: 3 });
  assert.equal(after.strategy, "profile");
  assert.equal(after.coldStart, true);
  assert.ok(!idsOf(after.items).includes(3));
  assert.equal(after.items[0].movieId, 4, "Aliens follows Alien");
  assert.ok(after.items[0].reasons.includes("people who liked Alien liked this"));
  await rec.rate(777, [
    { movieId: 4, rating: 5 },
    { movieId: 1, rating: 1 },
    { movieId: 7, rating: 1.5 },
    { movieId: 6, rating: 4 },
  ]);
  const model = rec.recommend(777, { k: 3 });
  assert.equal(model.strategy, "model");
  assert.equal(model.items[0].movieId, 5);
});

test("live updates: a known user's rating changes their recommendations and movie statistics", async () => {
  const { rec } = tinyRecommender();
  const before = rec.recommend(1, { k: 10 });
  const p8 = before.items.find((i) => i.movieId === 8)!.pLike;
  const count5 = rec.movie(5).ratingCount;
  await rec.rate(1, [
    { movieId: 5, rating: 5 },
    { movieId: 8, rating: 1 },
    { movieId: 2, rating: 1 },
  ]);
  const after = rec.recommend(1, { k: 10 });
  assert.ok(!idsOf(after.items).includes(5) && !idsOf(after.items).includes(8));
  assert.notDeepEqual(idsOf(after.items), idsOf(before.items));
  assert.equal(rec.movie(5).ratingCount, count5 + 1);
  assert.equal(rec.userRatings(1, 2).items[0].rating, 5);
  // a re-rating replaces the old value
  await rec.rate(1, [{ movieId: 8, rating: 4 }]);
  assert.equal(rec.book.count(1), 7);
  assert.ok(p8 > 0);
  await assert.rejects(rec.rate(1, [{ movieId: 8, rating: 4.2 }]), /half-star/);
  await assert.rejects(
    rec.rate(1, [{ movieId: 42, rating: 4 }]),
    /movieId 42 is not in the catalogue/,
  );
});

test("predict, similar movies and title search", () => {
  const { rec } = tinyRecommender();
  const p = rec.predict(1, [4, 2]);
  assert.equal(p.predictions.length, 2);
  assert.ok(p.predictions[0].pLike > p.predictions[1].pLike, "sci-fi fan: Aliens over Toy Story 2");
  assert.throws(() => rec.predict(1, [4, 99]), /movieIds\[1\] 99 is not in the catalogue/);
  const unknownUser = rec.predict(12345, [4]);
  assert.ok(unknownUser.predictions[0].pLike > 0 && unknownUser.predictions[0].pLike < 1);
  const sim = rec.similarByTitle("toy story", { k: 3 });
  assert.equal(sim.movie.movieId, 1);
  assert.equal(sim.items[0].title, "Toy Story 2 (1999)");
  assert.ok(!idsOf(sim.items).includes(1));
  const content = rec.similar(3, { k: 2, method: "content" });
  assert.equal(content.method, "content");
  assert.equal(content.items[0].movieId, 4);
  assert.equal(content.items[0].contentScore, content.items[0].score);
  assert.equal(rec.searchMovies("the matrix", undefined, 1)[0].movieId, 5);
  assert.equal(rec.searchMovies("AMELIE", undefined, 1)[0].movieId, 7);
  assert.deepEqual(idsOf(rec.searchMovies(undefined, "Romance", 5)).sort(), [7, 8]);
  assert.throws(() => rec.similarByTitle("zzzz"), /no movie title matches/);
});

test("the optional recommendation cache answers repeats and is emptied by a new rating", async () => {
  const { rec } = tinyRecommender();
  (rec.config as { cacheSize: number }).cacheSize = 2;
  const a = rec.recommend(1, { k: 3 });
  assert.equal(rec.recommend(1, { k: 3 }), a, "same object from the cache");
  assert.notEqual(rec.recommend(1, { k: 2 }), a, "other options are another entry");
  await rec.rate(1, [{ movieId: idsOf(a.items)[0], rating: 1 }]);
  const b = rec.recommend(1, { k: 3 });
  assert.notEqual(b, a);
  assert.ok(!idsOf(b.items).includes(idsOf(a.items)[0]), "the rated movie left the list");
});
