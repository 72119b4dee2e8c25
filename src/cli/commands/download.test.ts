import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { zipSync } from "fflate";
import { writeTinyRelease } from "../../data/write-tiny-release.js";

const run = promisify(execFile);
const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..", "..");
const bin = join(root, "bin", "cinerank.js");
const fixture = writeTinyRelease("ml-1m-tiny");
const tmp = mkdtempSync(join(tmpdir(), "cinerank-download-cli-"));
const zip = zipSync({
  "ml-1m/ratings.dat": readFileSync(join(fixture, "ratings.dat")),
  "ml-1m/movies.dat": readFileSync(join(fixture, "movies.dat")),
  "ml-1m/users.dat": readFileSync(join(fixture, "users.dat")),
});
let server: Server;
let base = "";

before(async () => {
  server = createServer((req, res) => {
    const [, kind, file] = (req.url ?? "").split("/");
    if (file === "ml-1m.zip") res.end(zip);
    else if (file === "ml-1m.zip.md5") {
      const md5 = kind === "good" ? createHash("md5").update(zip).digest("hex") : "f".repeat(32);
      res.end(`${md5}  ml-1m.zip\n`);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

test("cinerank download: good checksum unpacks and inspect reads it; a second run downloads nothing", async () => {
  const dir = join(tmp, "good");
  const first = await run(process.execPath, [
    bin,
    "download",
    "ml-1m",
    "--dir",
    dir,
    "--base-url",
    `${base}/good`,
    "--json",
    "--quiet",
  ]);
  assert.equal(JSON.parse(first.stdout).downloaded, true);
  const second = await run(process.execPath, [
    bin,
    "download",
    "ml-1m",
    "--dir",
    dir,
    "--base-url",
    `${base}/good`,
    "--json",
    "--quiet",
  ]);
  assert.equal(JSON.parse(second.stdout).downloaded, false);
  const inspect = await run(process.execPath, [
    bin,
    "inspect",
    "--data",
    dir,
    "--json",
    "--quiet",
    "--store",
    join(tmp, "s.duckdb"),
  ]);
  const s = JSON.parse(inspect.stdout);
  assert.equal(s.release, "ml-1m");
  assert.equal(s.ratings, 6);
});

test("cinerank download: a bad checksum exits 1 with ERR_CHECKSUM and leaves nothing", async () => {
  const dir = join(tmp, "bad");
  await assert.rejects(
    run(process.execPath, [
      bin,
      "download",
      "ml-1m",
      "--dir",
      dir,
      "--base-url",
      `${base}/bad`,
      "--quiet",
    ]),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /error \[ERR_CHECKSUM\]: ml-1m\.zip: MD5 [0-9a-f]{32} does not match/);
      return true;
    },
  );
  assert.equal(existsSync(join(dir, "ml-1m")), false);
});
