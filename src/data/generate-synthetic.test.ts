import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isCinerankError } from "../core/index.js";
import { generateSynthetic } from "./generate-synthetic.js";
import { loadDataset } from "./load-dataset.js";

const tmp = mkdtempSync(join(tmpdir(), "cinerank-generate-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const SHAPE = { users: 400, movies: 800, ratings: 40000 };

function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "latin1")]));
}

test("same seed, same bytes; another seed, other ratings", async () => {
  await generateSynthetic({ out: join(tmp, "a"), ...SHAPE, seed: 5 });
  await generateSynthetic({ out: join(tmp, "b"), ...SHAPE, seed: 5 });
  await generateSynthetic({ out: join(tmp, "c"), ...SHAPE, seed: 6 });
  const a = files(join(tmp, "a"));
  assert.deepEqual(Object.keys(a).sort(), [
    "cinerank-synthetic.json",
    "links.csv",
    "movies.csv",
    "ratings.csv",
    "tags.csv",
  ]);
  assert.deepEqual(files(join(tmp, "b")), a);
  assert.notEqual(files(join(tmp, "c"))["ratings.csv"], a["ratings.csv"]);
});

test("worker threads write the same bytes as one thread", async () => {
  const shape = { users: 4200, movies: 300, ratings: 4200 * 24, seed: 9 };
  await generateSynthetic({ out: join(tmp, "t1"), ...shape, threads: 1 });
  await generateSynthetic({ out: join(tmp, "t2"), ...shape, threads: 2 });
  const one = files(join(tmp, "t1"));
  assert.deepEqual(files(join(tmp, "t2")), one);
  assert.equal(one["ratings.csv"].trimEnd().split("\n").length, shape.ratings + 1);
});

test("shape: exact counts, >= 20 ratings per user, MovieLens-like histogram, long tail, learnable", async () => {
  const { dataset: d, report } = await loadDataset(join(tmp, "a"), {
    store: join(tmp, "a.duckdb"),
    strict: true,
  });
  assert.ok(report.ok);
  assert.equal(d.release, "synthetic");
  assert.equal(d.users.size, SHAPE.users);
  assert.equal(d.movies.size, SHAPE.movies);
  const n = d.ratings.rating.length;
  assert.equal(n, SHAPE.ratings);
  assert.ok(d.tags.tag.length > 0);
  const perUser = new Int32Array(d.users.size);
  const perMovie = new Int32Array(d.movies.size);
  const hist = new Map<number, number>();
  let sum = 0;
  let likes = 0;
  for (let i = 0; i < n; i++) {
    const r = d.ratings.rating[i];
    perUser[d.ratings.user[i]]++;
    perMovie[d.ratings.movie[i]]++;
    hist.set(r, (hist.get(r) ?? 0) + 1);
    sum += r;
    if (r >= 3.5) likes++;
    // never before the movie's release year
    const year = d.movieInfo.year[d.ratings.movie[i]];
    assert.ok(d.ratings.timestamp[i] >= Date.UTC(year, 0, 1) / 1000);
  }
  assert.ok(Math.min(...perUser) >= 20);
  assert.deepEqual(
    [...hist.keys()].sort((x, y) => x - y),
    [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5],
  );
  // whole stars are more common than half stars and 4.0 is the mode, as in MovieLens
  const mode = [...hist.entries()].sort((x, y) => y[1] - x[1])[0][0];
  assert.equal(mode, 4);
  assert.ok(hist.get(3)! > hist.get(3.5)! && hist.get(4)! > hist.get(4.5)!);
  const mean = sum / n;
  assert.ok(mean > 3.35 && mean < 3.75, `mean ${mean}`);
  assert.ok(likes / n > 0.52 && likes / n < 0.66, `like-rate ${likes / n}`);
  // popularity skew: the top 10% of movies hold a large share of the ratings
  const sorted = Array.from(perMovie).sort((x, y) => y - x);
  const top = sorted.slice(0, d.movies.size / 10).reduce((x, y) => x + y, 0);
  assert.ok(top / n > 0.3, `top-10% share ${top / n}`);
  for (let m = 0; m < d.movies.size; m++) {
    const g = d.movieInfo.genres[m].toString(2).replaceAll("0", "").length;
    assert.ok(g >= 1 && g <= 4);
    assert.match(d.movieInfo.title[m], /\(\d{4}\)$/);
  }
  // hidden signal: user + movie means from even rows predict odd rows far better than the mean
  const su = new Float64Array(d.users.size);
  const cu = new Float64Array(d.users.size);
  const sm = new Float64Array(d.movies.size);
  const cm = new Float64Array(d.movies.size);
  let tsum = 0;
  let tn = 0;
  for (let i = 0; i < n; i += 2) {
    tsum += d.ratings.rating[i];
    tn++;
  }
  const mu = tsum / tn;
  for (let i = 0; i < n; i += 2) {
    su[d.ratings.user[i]] += d.ratings.rating[i] - mu;
    cu[d.ratings.user[i]]++;
  }
  for (let i = 0; i < n; i += 2) {
    const u = d.ratings.user[i];
    sm[d.ratings.movie[i]] += d.ratings.rating[i] - mu - su[u] / (cu[u] + 5);
    cm[d.ratings.movie[i]]++;
  }
  let e0 = 0;
  let e1 = 0;
  for (let i = 1; i < n; i += 2) {
    const u = d.ratings.user[i];
    const m = d.ratings.movie[i];
    const pred = mu + su[u] / (cu[u] + 5) + sm[m] / (cm[m] + 5);
    e0 += (d.ratings.rating[i] - mu) ** 2;
    e1 += (d.ratings.rating[i] - pred) ** 2;
  }
  assert.ok(Math.sqrt(e1 / e0) < 0.94, `bias model RMSE ratio ${Math.sqrt(e1 / e0)}`);
});

test("impossible shapes are rejected", async () => {
  for (const bad of [
    { users: 10, movies: 100, ratings: 150 },
    { users: 10, movies: 30, ratings: 300 },
    { users: 10, movies: 100, ratings: 10 * 51 },
  ]) {
    await assert.rejects(
      generateSynthetic({ out: join(tmp, "bad"), ...bad }),
      (e: unknown) => isCinerankError(e) && e.code === "ERR_INVALID_ARGUMENT",
    );
  }
});

test("cinerank generate writes the layout and reports JSON", async () => {
  const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");
  const out = join(tmp, "cli");
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(root, "bin", "cinerank.js"),
    "generate",
    "--out",
    out,
    "--users",
    "30",
    "--movies",
    "100",
    "--ratings",
    "1500",
    "--seed",
    "3",
    "--json",
    "--quiet",
  ]);
  const r = JSON.parse(stdout);
  assert.equal(r.ratings, 1500);
  assert.equal(readFileSync(join(out, "ratings.csv"), "utf8").trimEnd().split("\n").length, 1501);
});
