/**
 * `cinerank metadata` end to end as a user runs it: a child process against a local fake TMDB
 * server, then a re-run that finds nothing missing, a --file import, and usage errors.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { writeTinyRelease } from "../../data/write-tiny-release.js";

const run = promisify(execFile);
const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..", "..");
const bin = join(root, "bin", "cinerank.js");
const fixture = writeTinyRelease("csv-tiny");
const tmp = mkdtempSync(join(tmpdir(), "cinerank-meta-cli-"));
const store = join(tmp, "store.duckdb");
let requests = 0;
const server = createServer((req, res) => {
  requests++;
  const id = Number(/\/movie\/(\d+)/.exec(req.url ?? "")?.[1]);
  res.writeHead(id === 12345 ? 404 : 200, { "content-type": "application/json" });
  res.end(JSON.stringify({ overview: `About ${id}`, poster_path: `/${id}.jpg` }));
});
let url = "";
before(async () => {
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/3`;
});
after(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  run(process.execPath, [bin, "metadata", "--data", fixture, "--store", store, ...args]);

test("cinerank metadata --tmdb-key fetches, then a re-run fetches nothing", async () => {
  const first = await cli("--tmdb-key", "k", "--tmdb-url", url, "--json");
  assert.deepEqual(
    (({ source, missing, fetched, notFound, failed }) => ({
      source,
      missing,
      fetched,
      notFound,
      failed,
    }))(JSON.parse(first.stdout)),
    { source: "tmdb", missing: 4, fetched: 3, notFound: 1, failed: 0 },
  );
  const n = requests;
  const second = await cli("--tmdb-key", "k", "--tmdb-url", url);
  assert.match(second.stdout, /0 fetched, 0 not found, 0 failed of 0 movies missing metadata/);
  assert.equal(requests, n);
});

test("cinerank metadata --file imports a CSV; usage errors exit 2 with a message", async () => {
  const f = join(tmp, "m.csv");
  writeFileSync(f, 'movieId,overview,posterPath\n4,"A film, at last",/four.jpg\n');
  const out = await cli("--file", f);
  assert.match(
    out.stdout,
    /Imported metadata for 1 movies \(1 with a poster, 1 with an overview\)/,
  );
  await assert.rejects(
    cli(),
    (e: { code?: number; stderr?: string }) => e.code === 2 && /ERR_USAGE/.test(e.stderr ?? ""),
  );
  await assert.rejects(
    cli("--tmdb-key", "k", "--rate", "500"),
    (e: { code?: number; stderr?: string }) =>
      e.code === 2 && /--rate must be/.test(e.stderr ?? ""),
  );
});
