/**
 * HTTP-layer tests of buildApp against a small hand-written backend: validation answers,
 * error mapping, readiness, API key, body cap, metrics, OpenAPI, static SPA fallback and
 * graceful shutdown. The real Recommender behind these routes is tested end to end in
 * serve-e2e.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CinerankError } from "../core/index.js";
import type { MovieSummary } from "./api-types.js";
import type { ServeBackend } from "./backend.js";
import { buildApp } from "./build-app.js";

function movie(id: number): MovieSummary {
  return {
    movieId: id,
    title: `Movie ${id}`,
    year: 2000,
    genres: ["Drama"],
    ratingCount: 3,
    meanRating: 4,
    imdbUrl: null,
    tmdbUrl: null,
    posterUrl: null,
    overview: null,
  };
}

interface FakeState {
  closed: number;
  rated: { userId: number; movieId: number; rating: number }[];
  delayMs: number;
  /** Requests that have reached the backend's movie lookup. */
  inflight: number;
}

function fakeBackend(state: FakeState): ServeBackend {
  const known = new Set([1, 2, 3]);
  const need = (id: number) => {
    if (!known.has(id)) {
      throw new CinerankError("ERR_UNKNOWN_MOVIE", `movieId ${id} is not in the catalogue`, {
        field: "movieId",
        movieId: id,
      });
    }
    return movie(id);
  };
  return {
    info: () => ({ run: "run-1", model: "gbdt" }),
    stats: () => {
      throw new Error("secret internal detail");
    },
    models: () => ({
      run: "run-1",
      chosen: "gbdt/baseline",
      threshold: 3.5,
      decisionThreshold: 0.5,
      split: { kind: "stratified", seed: 42, train: 1, validation: 1, test: 1, dropped: 0 },
      rows: [],
      roc: { validation: [], test: [] },
      pr: { validation: [], test: [] },
      importance: [],
      confusion: { threshold: 0.5, tp: 0, fp: 0, tn: 0, fn: 0 },
      calibration: [],
    }),
    recommend: (userId, q) => {
      const items = [1, 2, 3].slice(0, q.k).map((id, i) => ({
        ...movie(id),
        rank: i + 1,
        pLike: 0.9 - i / 10,
        reasons: ["highly rated"],
      }));
      return { userId, coldStart: userId > 100, items };
    },
    predict: (userId, movieIds) => ({
      userId,
      predictions: movieIds.map((m) => {
        need(m);
        return { movieId: m, pLike: 0.5 };
      }),
    }),
    searchMovies: (q) => ({ items: [1, 2, 3].slice(0, q.limit).map(movie) }),
    movie: async (id: number) => {
      state.inflight++;
      await new Promise((r) => setTimeout(r, state.delayMs));
      return need(id);
    },
    similar: (id, q) => ({
      movie: need(id),
      method: q.method,
      items: [{ ...movie(2), score: 0.5, contentScore: 0.4, collaborativeScore: 0.6 }],
    }),
    addRatings: async (userId, ratings) => {
      for (const r of ratings) {
        need(r.movieId);
        state.rated.push({ userId, ...r });
      }
      return { userId, added: ratings.length, ratingCount: state.rated.length };
    },
    userRatings: (userId) => ({ userId, items: [] }),
    sampleInteractions: () => ({ items: [] }),
    close: async () => {
      state.closed++;
    },
  };
}

const newState = (): FakeState => ({ closed: 0, rated: [], delayMs: 0, inflight: 0 });

test("health is 503 while loading and 200 once the backend resolves", async () => {
  let resolve!: (b: ServeBackend) => void;
  const pending = new Promise<ServeBackend>((r) => {
    resolve = r;
  });
  const app = await buildApp({ backend: pending });
  const before = await app.inject({ method: "GET", url: "/api/health" });
  assert.equal(before.statusCode, 503);
  assert.equal(before.json().status, "loading");
  const rec = await app.inject({ method: "GET", url: "/api/users/1/recommendations" });
  assert.equal(rec.statusCode, 503);
  assert.equal(rec.json().error, "ERR_NOT_READY");
  resolve(fakeBackend(newState()));
  await new Promise((r) => setImmediate(r));
  const after = await app.inject({ method: "GET", url: "/api/health" });
  assert.equal(after.statusCode, 200);
  assert.deepEqual(
    { ...(after.json() as object), uptimeSeconds: 0 },
    {
      status: "ok",
      run: "run-1",
      model: "gbdt",
      uptimeSeconds: 0,
    },
  );
  await app.close();
});

test("recommendations: happy path and every bad query answer names the field", async () => {
  const app = await buildApp({ backend: fakeBackend(newState()) });
  const ok = await app.inject({ method: "GET", url: "/api/users/7/recommendations?k=2" });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().items.length, 2);
  assert.equal(ok.json().userId, 7);
  const cases: [string, string][] = [
    ["/api/users/7/recommendations?k=0", "k"],
    ["/api/users/7/recommendations?k=101", "k"],
    ["/api/users/7/recommendations?k=ten", "k"],
    ["/api/users/abc/recommendations", "id"],
    ["/api/users/1.5/recommendations", "id"],
    ["/api/users/-3/recommendations", "id"],
    ["/api/users/7/recommendations?minYear=2000&maxYear=1990", "minYear"],
    ["/api/users/7/recommendations?minYear=twenty", "minYear"],
  ];
  for (const [url, field] of cases) {
    const res = await app.inject({ method: "GET", url });
    assert.equal(res.statusCode, 400, url);
    const body = res.json();
    assert.equal(body.error, "ERR_INVALID_ARGUMENT", url);
    assert.equal(body.details.field, field, url);
    assert.match(body.message, new RegExp(field), url);
    assert.ok(!JSON.stringify(body).includes("at "), `no stack in ${url}`);
  }
  await app.close();
});

test("unknown movie answers 404; internal errors answer 500 without details or stack", async () => {
  const app = await buildApp({ backend: fakeBackend(newState()) });
  const nf = await app.inject({ method: "GET", url: "/api/movies/999" });
  assert.equal(nf.statusCode, 404);
  assert.equal(nf.json().error, "ERR_UNKNOWN_MOVIE");
  assert.equal(nf.json().details.movieId, 999);
  const sim = await app.inject({ method: "GET", url: "/api/movies/999/similar?k=5" });
  assert.equal(sim.statusCode, 404);
  const okSim = await app.inject({
    method: "GET",
    url: "/api/movies/1/similar?k=5&method=content",
  });
  assert.equal(okSim.statusCode, 200);
  assert.equal(okSim.json().method, "content");
  const badMethod = await app.inject({ method: "GET", url: "/api/movies/1/similar?method=magic" });
  assert.equal(badMethod.statusCode, 400);
  assert.equal(badMethod.json().details.field, "method");
  const boom = await app.inject({ method: "GET", url: "/api/stats" });
  assert.equal(boom.statusCode, 500);
  assert.deepEqual(boom.json(), { error: "ERR_INTERNAL", message: "internal server error" });
  const route = await app.inject({ method: "GET", url: "/api/nope" });
  assert.equal(route.statusCode, 404);
  assert.equal(route.json().error, "ERR_NOT_FOUND");
  await app.close();
});

test("ratings: half-star scale enforced, API key required when configured, body capped", async () => {
  const state = newState();
  const app = await buildApp({ backend: fakeBackend(state), apiKey: "s3cret", bodyLimit: 2048 });
  const url = "/api/users/5/ratings";
  const good = { ratings: [{ movieId: 1, rating: 4.5 }] };
  const noKey = await app.inject({ method: "POST", url, payload: good });
  assert.equal(noKey.statusCode, 401);
  assert.equal(noKey.json().error, "ERR_UNAUTHORIZED");
  const wrongKey = await app.inject({
    method: "POST",
    url,
    payload: good,
    headers: { "x-api-key": "nope" },
  });
  assert.equal(wrongKey.statusCode, 401);
  const headers = { "x-api-key": "s3cret" };
  const ok = await app.inject({ method: "POST", url, payload: good, headers });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { userId: 5, added: 1, ratingCount: 1 });
  const bearer = await app.inject({
    method: "POST",
    url,
    payload: good,
    headers: { authorization: "Bearer s3cret" },
  });
  assert.equal(bearer.statusCode, 200);
  for (const rating of [4.3, 0, 5.5, -1]) {
    const res = await app.inject({
      method: "POST",
      url,
      payload: { ratings: [{ movieId: 1, rating }] },
      headers,
    });
    assert.equal(res.statusCode, 400, String(rating));
    assert.equal(res.json().details.field, "ratings[0].rating");
  }
  const str = await app.inject({
    method: "POST",
    url,
    payload: { ratings: [{ movieId: 1, rating: "x" }] },
    headers,
  });
  assert.equal(str.statusCode, 400);
  const missing = await app.inject({
    method: "POST",
    url,
    payload: { ratings: [{ rating: 3 }] },
    headers,
  });
  assert.equal(missing.statusCode, 400);
  assert.equal(missing.json().details.field, "ratings[0].movieId");
  const empty = await app.inject({ method: "POST", url, payload: { ratings: [] }, headers });
  assert.equal(empty.statusCode, 400);
  const unknown = await app.inject({
    method: "POST",
    url,
    payload: { ratings: [{ movieId: 42, rating: 3 }] },
    headers,
  });
  assert.equal(unknown.statusCode, 404);
  const badJson = await app.inject({
    method: "POST",
    url,
    payload: "{not json",
    headers: { ...headers, "content-type": "application/json" },
  });
  assert.equal(badJson.statusCode, 400);
  assert.ok(!badJson.body.includes("at "));
  const big = { ratings: Array.from({ length: 400 }, () => ({ movieId: 1, rating: 3 })) };
  const tooBig = await app.inject({ method: "POST", url, payload: big, headers });
  assert.equal(tooBig.statusCode, 413);
  assert.equal(tooBig.json().error, "ERR_PAYLOAD_TOO_LARGE");
  assert.equal(state.rated.length, 2);
  await app.close();
});

test("predict and movie search: happy paths and bad bodies", async () => {
  const app = await buildApp({ backend: fakeBackend(newState()) });
  const ok = await app.inject({
    method: "POST",
    url: "/api/predict",
    payload: { userId: 1, movieIds: [1, 2] },
  });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().predictions.length, 2);
  const noIds = await app.inject({
    method: "POST",
    url: "/api/predict",
    payload: { userId: 1, movieIds: [] },
  });
  assert.equal(noIds.statusCode, 400);
  assert.equal(noIds.json().details.field, "movieIds");
  const badUser = await app.inject({
    method: "POST",
    url: "/api/predict",
    payload: { userId: "x", movieIds: [1] },
  });
  assert.equal(badUser.statusCode, 400);
  assert.equal(badUser.json().details.field, "userId");
  const unknown = await app.inject({
    method: "POST",
    url: "/api/predict",
    payload: { userId: 1, movieIds: [77] },
  });
  assert.equal(unknown.statusCode, 404);
  const search = await app.inject({ method: "GET", url: "/api/movies?query=movie&limit=2" });
  assert.equal(search.statusCode, 200);
  assert.equal(search.json().items.length, 2);
  const badLimit = await app.inject({ method: "GET", url: "/api/movies?limit=0" });
  assert.equal(badLimit.statusCode, 400);
  assert.equal(badLimit.json().details.field, "limit");
  await app.close();
});

test("metrics count requests per route with latency histograms; OpenAPI and docs served", async () => {
  const app = await buildApp({ backend: fakeBackend(newState()) });
  for (let i = 0; i < 3; i++) await app.inject({ method: "GET", url: "/api/movies/1" });
  await app.inject({ method: "GET", url: "/api/movies/999" });
  const m = await app.inject({ method: "GET", url: "/api/metrics" });
  assert.equal(m.statusCode, 200);
  assert.match(m.headers["content-type"] as string, /text\/plain/);
  assert.match(
    m.body,
    /cinerank_http_requests_total\{method="GET",route="\/api\/movies\/:id",status="200"\} 3/,
  );
  assert.match(
    m.body,
    /cinerank_http_requests_total\{method="GET",route="\/api\/movies\/:id",status="404"\} 1/,
  );
  assert.match(
    m.body,
    /cinerank_http_request_duration_seconds_count\{method="GET",route="\/api\/movies\/:id"\} 4/,
  );
  assert.match(m.body, /le="\+Inf"\} 4/);
  const doc = await app.inject({ method: "GET", url: "/api/openapi.json" });
  assert.equal(doc.statusCode, 200);
  const spec = doc.json();
  assert.equal(spec.openapi, "3.0.3");
  for (const p of [
    "/api/health",
    "/api/stats",
    "/api/models",
    "/api/users/{id}/recommendations",
    "/api/users/{id}/ratings",
    "/api/predict",
    "/api/movies",
    "/api/movies/{id}",
    "/api/movies/{id}/similar",
    "/api/metrics",
  ]) {
    assert.ok(spec.paths[p], `OpenAPI documents ${p}`);
  }
  const docs = await app.inject({ method: "GET", url: "/docs/" });
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /swagger/i);
  await app.close();
});

test("serves the web app with SPA fallback when web/dist exists", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cinerank-web-"));
  try {
    await writeFile(join(dir, "index.html"), "<!doctype html><title>cinerank</title>");
    await writeFile(join(dir, "app.js"), "console.log(1)");
    const app = await buildApp({ backend: fakeBackend(newState()), webDist: dir });
    const root = await app.inject({ method: "GET", url: "/" });
    assert.equal(root.statusCode, 200);
    assert.match(root.body, /<title>cinerank/);
    const js = await app.inject({ method: "GET", url: "/app.js" });
    assert.equal(js.body, "console.log(1)");
    const deep = await app.inject({ method: "GET", url: "/recommendations?user=1" });
    assert.equal(deep.statusCode, 200);
    assert.match(deep.body, /<title>cinerank/);
    const api = await app.inject({ method: "GET", url: "/api/unknown" });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error, "ERR_NOT_FOUND");
    await app.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("graceful shutdown: an in-flight request finishes, then the backend is closed", async () => {
  const state = newState();
  state.delayMs = 300;
  const app = await buildApp({ backend: fakeBackend(state) });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  assert.match(address, /^http:\/\/127\.0\.0\.1:/);
  const inflight = fetch(`${address}/api/movies/1`);
  // Close only once the request is being handled (a fixed sleep races on a loaded machine).
  while (state.inflight === 0) await new Promise((r) => setTimeout(r, 5));
  const closing = app.close();
  const res = await inflight;
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as MovieSummary).movieId, 1);
  await closing;
  assert.equal(state.closed, 1);
});
