import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadDataset } from "./load-dataset.js";
import { openStore } from "./open-store.js";
import { writeTinyRelease } from "./write-tiny-release.js";

const fixture = writeTinyRelease("csv-tiny");
const tmp = mkdtempSync(join(tmpdir(), "cinerank-store-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a failed rebuild leaves the previous store as it was and no temporary files", async () => {
  const dir = join(tmp, "a", "csv-tiny");
  cpSync(fixture, dir, { recursive: true });
  const stores = join(tmp, "stores-a");
  const store = join(stores, "s.duckdb");
  const first = await loadDataset(dir, { store });
  // the tags file changes (so the store is stale) and now holds undecodable text
  appendFileSync(
    join(dir, "tags.csv"),
    Buffer.from([0x33, 0x2c, 0x31, 0x2c, 0xff, 0x2c, 0x31, 0x0a]),
  );
  await assert.rejects(loadDataset(dir, { store }), { code: "ERR_DATA_ENCODING" });
  assert.deepEqual(readdirSync(stores), ["s.duckdb"]);
  const s = await openStore(store);
  try {
    const n = (await s.conn.runAndReadAll("SELECT count(*) FROM ratings")).getRowsJS()[0][0];
    assert.equal(Number(n), first.dataset.ratings.rating.length);
  } finally {
    s.close();
  }
});

test("a store without the completion marker is rebuilt; ratings_added survive rebuilds and are loaded", async () => {
  const dir = join(tmp, "b", "csv-tiny");
  cpSync(fixture, dir, { recursive: true });
  const store = join(tmp, "stores-b", "s.duckdb");
  const first = await loadDataset(dir, { store });
  const s = await openStore(store, { readOnly: false });
  await s.conn.run("INSERT INTO ratings_added VALUES (99, 3, 4.5, 1700000000, 1700000001)");
  await s.conn.run("DELETE FROM meta WHERE key = 'complete'");
  s.close();
  const second = await loadDataset(dir, { store });
  assert.equal(second.store.reused, false);
  const d = second.dataset;
  const n = d.ratings.rating.length;
  assert.equal(n, first.dataset.ratings.rating.length + 1);
  assert.equal(d.users.id(d.ratings.user[n - 1]), 99);
  assert.equal(d.movies.id(d.ratings.movie[n - 1]), 3);
  assert.equal(d.ratings.rating[n - 1], 4.5);
  const third = await loadDataset(dir, { store, rebuild: true });
  assert.equal(third.dataset.ratings.rating.length, n);
});

test("a store held by another process is ERR_STORE_BUSY, not silently replaced", async () => {
  const dir = join(tmp, "c", "csv-tiny");
  cpSync(fixture, dir, { recursive: true });
  const store = join(tmp, "stores-c", "s.duckdb");
  await loadDataset(dir, { store });
  const api = resolve(
    fileURLToPath(import.meta.url),
    "..",
    "..",
    "..",
    "..",
    "node_modules",
    "@duckdb",
    "node-api",
    "lib",
    "index.js",
  );
  // a child process opens the store for writing and holds it until its stdin closes
  const holder = spawn(
    process.execPath,
    [
      "-e",
      `const { DuckDBInstance } = require(${JSON.stringify(api)});
       DuckDBInstance.create(${JSON.stringify(store)}).then(async (i) => { await i.connect(); console.log("held"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0)); });`,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  try {
    await new Promise<void>((ok) => holder.stdout.once("data", () => ok()));
    await assert.rejects(loadDataset(dir, { store }), { code: "ERR_STORE_BUSY" });
  } finally {
    holder.stdin.end();
    await new Promise((ok) => holder.once("exit", ok));
  }
});
