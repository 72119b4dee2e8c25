import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { zipSync } from "fflate";
import { isCinerankError } from "../core/index.js";
import { DOWNLOAD_MARKER, downloadRelease } from "./download-release.js";
import { loadDataset } from "./load-dataset.js";
import { writeTinyRelease } from "./write-tiny-release.js";

const fixtures = writeTinyRelease("csv-tiny");
const tmp = mkdtempSync(join(tmpdir(), "cinerank-download-"));
const zip = zipSync({
  "ml-latest-small/": {},
  "ml-latest-small/ratings.csv": readFileSync(join(fixtures, "ratings.csv")),
  "ml-latest-small/movies.csv": readFileSync(join(fixtures, "movies.csv")),
  "ml-latest-small/README.txt": new TextEncoder().encode("fixture\n"),
});
const md5 = createHash("md5").update(zip).digest("hex");
const requests: string[] = [];
let server: Server;
let base = "";

before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    // /good/... publishes the right digest, /bad/... a wrong one
    const [, kind, file] = (req.url ?? "").split("/");
    if (file === "ml-latest-small.zip") {
      res.writeHead(200, { "content-length": zip.length });
      res.end(zip);
    } else if (file === "ml-latest-small.zip.md5") {
      res.end(`MD5 (ml-latest-small.zip) = ${kind === "good" ? md5 : "0".repeat(32)}\n`);
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

test("downloads, verifies the MD5, unpacks; a second call does nothing", async () => {
  const dir = join(tmp, "good");
  const events: string[] = [];
  const r = await downloadRelease("ml-latest-small", {
    dir,
    baseUrl: `${base}/good`,
    onProgress: (e) => events.push(e.stage),
  });
  assert.equal(r.downloaded, true);
  assert.equal(r.md5, md5);
  assert.equal(r.path, join(dir, "ml-latest-small"));
  assert.deepEqual(readdirSync(r.path).sort(), [
    DOWNLOAD_MARKER,
    "README.txt",
    "movies.csv",
    "ratings.csv",
  ]);
  assert.deepEqual(readdirSync(dir), ["ml-latest-small"]); // no temporary files left
  assert.ok(events.includes("download ml-latest-small"));
  const loaded = await loadDataset(r.path, { store: join(tmp, "s.duckdb") });
  assert.equal(loaded.dataset.ratings.rating.length, 9);
  const before = requests.length;
  const again = await downloadRelease("ml-latest-small", { dir, baseUrl: `${base}/good` });
  assert.equal(again.downloaded, false);
  assert.equal(requests.length, before);
});

test("a checksum mismatch deletes the download and fails", async () => {
  const dir = join(tmp, "bad");
  await assert.rejects(
    downloadRelease("ml-latest-small", { dir, baseUrl: `${base}/bad` }),
    (e: unknown) => {
      assert.ok(isCinerankError(e));
      assert.equal(e.code, "ERR_CHECKSUM");
      assert.match(e.message, /ml-latest-small\.zip/);
      return true;
    },
  );
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(existsSync(join(dir, "ml-latest-small")), false);
});

test("unknown release and HTTP errors are coded errors", async () => {
  await assert.rejects(downloadRelease("ml-2m", { dir: tmp, baseUrl: base }), {
    code: "ERR_UNKNOWN_RELEASE",
  });
  await assert.rejects(downloadRelease("ml-1m", { dir: join(tmp, "x"), baseUrl: `${base}/good` }), {
    code: "ERR_DOWNLOAD",
  });
});
