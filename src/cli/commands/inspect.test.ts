import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { writeTinyRelease } from "../../data/write-tiny-release.js";

const run = promisify(execFile);
// dist/src/cli/commands/ -> project root
const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..", "..");
const bin = join(root, "bin", "cinerank.js");
const SMALL = resolve(root, "..", "shared", "data", "ml-latest-small");
const tmp = mkdtempSync(join(tmpdir(), "cinerank-inspect-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("inspect --json on ml-latest-small reports the published figures", {
  skip: !existsSync(SMALL),
}, async () => {
  const { stdout } = await run(process.execPath, [
    bin,
    "inspect",
    "--data",
    SMALL,
    "--json",
    "--strict",
    "--quiet",
    "--store",
    join(tmp, "s.duckdb"),
  ]);
  const s = JSON.parse(stdout);
  assert.equal(s.release, "ml-latest-small");
  assert.equal(s.users, 610);
  assert.equal(s.movies, 9742);
  assert.equal(s.ratings, 100836);
  assert.equal(s.meanRating.toFixed(4), "3.5016");
  assert.equal(s.likeRate.toFixed(4), "0.6120");
  assert.equal(s.likeThreshold, 3.5);
  assert.equal(
    s.ratingHistogram.reduce((a: number, h: { count: number }) => a + h.count, 0),
    100836,
  );
  assert.equal(
    s.ratingsPerYear.reduce((a: number, h: { count: number }) => a + h.count, 0),
    100836,
  );
  assert.equal(s.ratingsPerUser.min, 20);
  assert.equal(s.topGenres[0].genre, "Drama");
  assert.deepEqual(s.files.missingOptional, ["genome-tags.csv", "genome-scores.csv"]);
  assert.equal(s.validation.ok, true);
  assert.ok(s.sparsity > 0.98 && s.sparsity < 0.99);
  // text mode and another threshold
  const text = await run(process.execPath, [
    bin,
    "inspect",
    "--data",
    SMALL,
    "--quiet",
    "--threshold",
    "4",
    "--store",
    join(tmp, "s.duckdb"),
  ]);
  assert.match(text.stdout, /users\s+610/);
  assert.match(text.stdout, /like-rate\s+0\.4818 \(rating >= 4\)/);
});

test("inspect on a folder without data fails with a coded error and exit code 1", async () => {
  await assert.rejects(
    run(process.execPath, [bin, "inspect", "--data", join(tmp, "nothing"), "--quiet"]),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /error \[ERR_DATA_MISSING_FILE\]/);
      return true;
    },
  );
});

test("start trains on $CINERANK_DATA when it holds a dataset (no download)", async () => {
  const { stdout } = await run(
    process.execPath,
    [
      bin,
      "start",
      "--no-serve",
      "--json",
      "--quiet",
      "--store",
      join(tmp, "start.duckdb"),
      "--models",
      "lr",
      "--cf",
      "none",
      "--top-n",
      "0",
      "--ranking-users",
      "10",
      "--out",
      join(tmp, "artifacts"),
    ],
    {
      env: { ...process.env, CINERANK_DATA: SMALL, CINERANK_DOWNLOAD_BASE: "http://127.0.0.1:9" },
    },
  );
  const s = JSON.parse(stdout);
  assert.equal(s.dataset.release, "ml-latest-small");
  assert.equal(s.dataset.ratings, 100836);
  assert.equal(s.chosen.key, "lr-baseline");
  assert.ok(existsSync(join(tmp, "start.duckdb")));
});

test("inspect reports malformed rows; --strict turns them into exit code 1", async () => {
  const dir = join(tmp, "bad", "csv-tiny");
  writeTinyRelease("csv-tiny", dir);
  appendFileSync(join(dir, "ratings.csv"), "5,1,9.0,1300000000\n5,2,4.0\n");
  const store = join(tmp, "bad.duckdb");
  const { stdout } = await run(process.execPath, [
    bin,
    "inspect",
    "--data",
    dir,
    "--json",
    "--quiet",
    "--store",
    store,
  ]);
  const s = JSON.parse(stdout);
  assert.equal(s.validation.ok, false);
  assert.deepEqual(
    s.validation.issues
      .map((i: { kind: string; firstLines: number[] }) => [i.kind, i.firstLines])
      .sort(),
    [
      ["rating_out_of_scale", [11]],
      ["wrong_field_count", [12]],
    ],
  );
  await assert.rejects(
    run(process.execPath, [bin, "inspect", "--data", dir, "--strict", "--quiet", "--store", store]),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(
        e.stderr,
        /ERR_DATA_MALFORMED.*ratings\.csv: 1 row rating_out_of_scale \(line 11;/,
      );
      return true;
    },
  );
});
