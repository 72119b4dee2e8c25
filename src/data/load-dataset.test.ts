import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { genresOf } from "./genres.js";
import { loadDataset } from "./load-dataset.js";
import { writeTinyRelease } from "./write-tiny-release.js";

// dist/src/data/ -> project root -> ../shared/data
const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");
const SMALL = resolve(root, "..", "shared", "data", "ml-latest-small");
const tmp = mkdtempSync(join(tmpdir(), "cinerank-load-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("ml-latest-small loads with the published figures, then reuses its store", {
  skip: !existsSync(SMALL),
}, async () => {
  const store = join(tmp, "small.duckdb");
  const events: string[] = [];
  const first = await loadDataset(SMALL, { store, onProgress: (e) => events.push(e.stage) });
  const d = first.dataset;
  assert.equal(first.store.reused, false);
  assert.equal(d.release, "ml-latest-small");
  assert.equal(d.layout, "csv");
  assert.equal(d.users.size, 610);
  assert.equal(d.movies.size, 9742);
  const n = d.ratings.rating.length;
  assert.equal(n, 100836);
  let sum = 0;
  let likes = 0;
  for (let i = 0; i < n; i++) {
    sum += d.ratings.rating[i];
    if (d.ratings.rating[i] >= 3.5) likes++;
  }
  assert.equal((sum / n).toFixed(4), "3.5016");
  assert.equal((likes / n).toFixed(4), "0.6120");
  assert.ok(first.report.ok);
  assert.deepEqual(first.report.missingOptional, ["genome-tags.csv", "genome-scores.csv"]);
  assert.ok(events.includes("load ratings.csv"));
  // first rating line of the file: 1,1,4.0,964982703
  assert.equal(d.users.id(d.ratings.user[0]), 1);
  assert.equal(d.movies.id(d.ratings.movie[0]), 1);
  assert.equal(d.ratings.timestamp[0], 964982703);
  // movie 1 is first in movies.csv; a quoted title with commas parses with its year
  assert.equal(d.movieInfo.title[0], "Toy Story (1995)");
  assert.deepEqual(genresOf(d.movieInfo.genres[0]), [
    "Adventure",
    "Animation",
    "Children",
    "Comedy",
    "Fantasy",
  ]);
  assert.equal(d.movieInfo.imdb[0], "0114709");
  assert.equal(d.movieInfo.tmdb[0], 862);
  const m11 = d.movies.index(11);
  assert.equal(d.movieInfo.title[m11], "American President, The (1995)");
  assert.equal(d.movieInfo.year[m11], 1995);
  assert.equal(d.tags.tag.length, 3683);
  assert.ok(d.tags.user.every((u) => u >= 0 && u < d.users.size));

  const second = await loadDataset(SMALL, { store });
  assert.equal(second.store.reused, true);
  assert.deepEqual(second.dataset.ratings.rating, d.ratings.rating);
  assert.deepEqual(second.dataset.ratings.user, d.ratings.user);
  assert.deepEqual(second.report, first.report);
});

test("genome scores: bad relevance and unknown movies are reported with lines (row-by-row fallback)", async () => {
  const dir = writeTinyRelease("csv-tiny", join(tmp, "genome-bad", "csv-tiny"));
  appendFileSync(join(dir, "genome-scores.csv"), "3,1,1.5\n999,1,0.5\n3,2,0.25\n");
  const { report, dataset } = await loadDataset(dir, { store: join(tmp, "genome-bad.duckdb") });
  const issues = report.issues.filter((i) => i.file === "genome-scores.csv");
  assert.deepEqual(issues.map((i) => [i.kind, i.firstLines]).sort(), [
    ["bad_value", [8]],
    ["unknown_movie", [9]],
  ]);
  assert.deepEqual(
    [...dataset.genome!.movies].map((m) => dataset.movies.id(m)),
    [1, 2, 3],
  );
});
