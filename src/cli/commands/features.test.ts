import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
// dist/src/cli/commands/ -> project root
const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..", "..");
const bin = join(root, "bin", "cinerank.js");
const SMALL = resolve(root, "..", "shared", "data", "ml-latest-small");
const tmp = mkdtempSync(join(tmpdir(), "cinerank-features-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("features --json on ml-latest-small writes the feature table and the split", {
  skip: !existsSync(SMALL),
}, async () => {
  const out = join(tmp, "f.csv");
  const splitOut = join(tmp, "split.csv");
  const { stdout } = await run(process.execPath, [
    bin,
    "features",
    "--data",
    SMALL,
    "--json",
    "--quiet",
    "--folds",
    "3",
    "--embedding-dim",
    "8",
    "--out",
    out,
    "--split-out",
    splitOut,
    "--unscaled",
  ]);
  const s = JSON.parse(stdout);
  assert.equal(s.split, "stratified");
  assert.equal(s.rows.train + s.rows.val + s.rows.test + s.dropped.val + s.dropped.test, 100836);
  assert.ok(Math.abs(s.likeRate.val - 0.612) < 0.005);
  const lines = readFileSync(out, "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 1 + s.rows.train + s.rows.val + s.rows.test);
  const header = lines[0].split(",");
  assert.deepEqual(header.slice(0, 5), ["userId", "movieId", "timestamp", "part", "label"]);
  assert.deepEqual(header.slice(5), s.featureNames);
  // --unscaled: raw values, e.g. a mean rating within the rating scale.
  const row = lines[1].split(",");
  const mean = Number(row[header.indexOf("user_mean")]);
  assert.ok(mean >= 0.5 && mean <= 5, `${mean}`);
  assert.equal(readFileSync(splitOut, "utf8").split("\n")[0], "userId,movieId,timestamp,part");
});

test("features rejects a bad option with exit code 2", async () => {
  await assert.rejects(
    run(process.execPath, [bin, "features", "--data", SMALL, "--split", "random"]),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr, /ERR_INVALID_ARGUMENT/);
      return true;
    },
  );
});
