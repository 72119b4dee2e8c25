/**
 * The HTTP API over a real Recommender (the tiny fixture's models) and a real DuckDB store:
 * every route's happy path, cold start, explanations, rated movies never recommended, and the
 * live-update flow rate -> recommendations change -> restart (store reloaded) -> still changed.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { datasetStats, StoreRatingLog } from "../../src/recommend/index.js";
import { buildApp, recommenderBackend } from "../../src/serve/index.js";
import { tinyCsv, tinyRecommender } from "../fixtures/tiny-recommender.js";

async function appFor(rec: ReturnType<typeof tinyRecommender>["rec"]) {
  const backend = recommenderBackend(rec, {
    stats: datasetStats(rec.dataset, 3.5),
    models: null,
    seed: 1,
  });
  return buildApp({ backend });
}

test("every route answers its happy path over the real recommender", async () => {
  const { rec } = tinyRecommender();
  const app = await appFor(rec);
  const get = async (url: string) => {
    const res = await app.inject({ method: "GET", url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json();
  };
  assert.equal((await get("/api/health")).status, "ok");
  const stats = await get("/api/stats");
  assert.equal(stats.ratings, 26);
  assert.equal(stats.movies, 8);
  assert.ok(stats.genres.some((g: { genre: string }) => g.genre === "Sci-Fi"));
  const models = await app.inject({ method: "GET", url: "/api/models" });
  assert.equal(models.statusCode, 404, "no metrics.json in the fixture run");
  const recs = await get("/api/users/1/recommendations?k=3");
  assert.equal(recs.coldStart, false);
  assert.equal(recs.strategy, "model");
  assert.equal(recs.items.length, 3);
  for (const item of recs.items) {
    assert.ok(item.reasons.length >= 1);
    assert.ok(![1, 3, 6, 7].includes(item.movieId), "never a rated movie");
  }
  assert.ok(recs.items[0].explanation.length >= 1);
  const scifi = await get("/api/users/1/recommendations?k=5&genres=Romance");
  assert.deepEqual(
    scifi.items.map((i: { movieId: number }) => i.movieId),
    [8],
  );
  const badGenre = await app.inject({
    method: "GET",
    url: "/api/users/1/recommendations?genres=Nope",
  });
  assert.equal(badGenre.statusCode, 400);
  assert.equal(badGenre.json().details.field, "genres");
  const cold = await get("/api/users/4242/recommendations?k=2");
  assert.equal(cold.coldStart, true);
  assert.equal(cold.strategy, "popularity");
  const pred = await app.inject({
    method: "POST",
    url: "/api/predict",
    payload: { userId: 1, movieIds: [4, 2] },
  });
  assert.equal(pred.statusCode, 200);
  assert.ok(pred.json().predictions[0].pLike > pred.json().predictions[1].pLike);
  const unknownMovie = await app.inject({
    method: "POST",
    url: "/api/predict",
    payload: { userId: 1, movieIds: [404] },
  });
  assert.equal(unknownMovie.statusCode, 404);
  assert.equal(unknownMovie.json().details.field, "movieIds[0]");
  const search = await get("/api/movies?query=toy%20story&limit=5");
  assert.deepEqual(
    search.items.map((m: { title: string }) => m.title),
    ["Toy Story (1995)", "Toy Story 2 (1999)"],
  );
  const byGenre = await get("/api/movies?genre=Romance");
  assert.equal(byGenre.items.length, 2);
  const movie = await get("/api/movies/5");
  assert.equal(movie.title, "Matrix, The (1999)");
  assert.deepEqual(movie.genres, ["Action", "Sci-Fi"]);
  const missing = await app.inject({ method: "GET", url: "/api/movies/77" });
  assert.equal(missing.statusCode, 404);
  const similar = await get("/api/movies/3/similar?k=3&method=content");
  assert.equal(similar.items[0].movieId, 4);
  const blended = await get("/api/movies/1/similar?k=3&method=blended&contentWeight=0.3");
  assert.equal(blended.method, "blended");
  const ratings = await get("/api/users/1/ratings?limit=2");
  assert.equal(ratings.items.length, 2);
  const sample = await get("/api/interactions/sample?limit=5");
  assert.equal(sample.items.length, 5);
  assert.ok(sample.items.every((i: { userId: number }) => i.userId >= 1 && i.userId <= 6));
  await app.close();
});

test("live updates persist in the store: rate -> recommendations change -> restart -> still changed", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cinerank-live-"));
  try {
    const data = join(dir, "ml-tiny");
    const store = join(dir, "store.duckdb");
    await (await import("node:fs/promises")).mkdir(data);
    const csv = tinyCsv();
    await writeFile(join(data, "movies.csv"), csv.movies);
    await writeFile(join(data, "ratings.csv"), csv.ratings);

    const first = await loadDataset(data, { store });
    const { rec } = tinyRecommender({ dataset: first.dataset, log: new StoreRatingLog(store) });
    const app = await appFor(rec);
    const url = "/api/users/1/recommendations?k=10";
    const before = (await app.inject({ method: "GET", url })).json();
    const ids = (r: { items: { movieId: number }[] }) => r.items.map((i) => i.movieId);
    assert.ok(ids(before).includes(5));
    const post = await app.inject({
      method: "POST",
      url: "/api/users/1/ratings",
      payload: {
        ratings: [
          { movieId: 5, rating: 5 },
          { movieId: 2, rating: 1 },
        ],
      },
    });
    assert.equal(post.statusCode, 200, post.body);
    assert.deepEqual(post.json(), { userId: 1, added: 2, ratingCount: 6 });
    const after = (await app.inject({ method: "GET", url })).json();
    assert.ok(
      !ids(after).includes(5) && !ids(after).includes(2),
      "rated movies leave the list at once",
    );
    assert.notDeepEqual(ids(after), ids(before));
    // a brand-new user through the API
    await app.inject({
      method: "POST",
      url: "/api/users/900/ratings",
      payload: { ratings: [{ movieId: 3, rating: 5 }] },
    });
    const newbie = (
      await app.inject({ method: "GET", url: "/api/users/900/recommendations?k=3" })
    ).json();
    assert.equal(newbie.strategy, "profile");
    await app.close();

    // restart: reload the dataset from the store (the ratings come back) and rebuild
    const second = await loadDataset(data, { store });
    assert.equal(second.dataset.ratings.rating.length, 26 + 3);
    const log = new StoreRatingLog(store);
    const { rec: rec2 } = tinyRecommender({
      dataset: second.dataset,
      log,
      changedUsers: await log.users(),
    });
    const app2 = await appFor(rec2);
    const restarted = (await app2.inject({ method: "GET", url })).json();
    assert.deepEqual(ids(restarted), ids(after));
    assert.deepEqual(
      restarted.items.map((i: { pLike: number }) => i.pLike),
      after.items.map((i: { pLike: number }) => i.pLike),
    );
    const newbie2 = (
      await app2.inject({ method: "GET", url: "/api/users/900/recommendations?k=3" })
    ).json();
    assert.deepEqual(ids(newbie2), ids(newbie));
    const r1 = (await app2.inject({ method: "GET", url: "/api/users/1/ratings?limit=1" })).json();
    assert.ok([5, 2].includes(r1.items[0].movieId));
    await app2.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
