/**
 * Movie metadata: TMDB fetch against a local fake TMDB server (retries on 429/5xx, 404 cached
 * as not found, concurrency and rate limits, rejected key, re-runs fetch only what is missing,
 * metadata survives a store rebuild) and the CSV/JSON file import with its error messages.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isCinerankError } from "../core/index.js";
import { loadDataset } from "./load-dataset.js";
import { fetchTmdbMetadata } from "./metadata-fetch.js";
import { importMetadataFile } from "./metadata-import.js";
import { posterUrl, readMetadata } from "./metadata-store.js";
import { openStore } from "./open-store.js";
import { writeTinyRelease } from "./write-tiny-release.js";

const FIXTURE = writeTinyRelease("csv-tiny"); // tmdb ids: 1->862 2->9087 3->807 5->12345
const tmp = mkdtempSync(join(tmpdir(), "cinerank-meta-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

let storeN = 0;
async function freshStore(): Promise<string> {
  const store = join(tmp, `s${storeN++}.duckdb`);
  await loadDataset(FIXTURE, { store });
  return store;
}

async function withStore<T>(
  path: string,
  fn: (conn: Awaited<ReturnType<typeof openStore>>["conn"]) => Promise<T>,
): Promise<T> {
  const s = await openStore(path, { readOnly: false });
  try {
    return await fn(s.conn);
  } finally {
    s.close();
  }
}

/** A fake TMDB: scripted answers per tmdb id, request log, in-flight high-water mark. */
class FakeTmdb {
  server!: Server;
  url = "";
  log: { id: number; at: number; key: string | null; auth: string | undefined }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 25;
  /** Per id, the statuses to answer in order (the last one repeats); 200 = the movie. */
  script = new Map<number, number[]>();
  validKey = "good-key";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const m = /^\/3\/movie\/(\d+)$/.exec(url.pathname);
      const id = m ? Number(m[1]) : -1;
      const key = url.searchParams.get("api_key");
      this.log.push({ id, at: performance.now(), key, auth: req.headers.authorization });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      setTimeout(() => {
        this.inFlight--;
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { "content-type": "application/json", ...headers });
          res.end(JSON.stringify(body));
        };
        const authed =
          key === this.validKey || req.headers.authorization === `Bearer ${this.validKey}`;
        if (!authed) return send(401, { status_code: 7, status_message: "Invalid API key" });
        const steps = this.script.get(id) ?? [404];
        const status = steps.length > 1 ? steps.shift()! : steps[0];
        if (status === 200)
          return send(200, {
            id,
            overview: `Overview of ${id}, with a comma.`,
            poster_path: `/p${id}.jpg`,
          });
        if (status === 429) return send(429, { status_code: 25 }, { "retry-after": "0" });
        return send(status, { status_code: 34, status_message: "nope" });
      }, this.delayMs);
    });
    await new Promise<void>((ok) => this.server.listen(0, "127.0.0.1", ok));
    const a = this.server.address();
    this.url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/3`;
  }
  stop(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

describe("TMDB metadata fetch (fake TMDB server)", () => {
  const tmdb = new FakeTmdb();
  before(() => tmdb.start());
  after(() => tmdb.stop());

  test("fetches what is missing with retries, caches 404s, and a re-run fetches nothing", async () => {
    const store = await freshStore();
    tmdb.log = [];
    tmdb.maxInFlight = 0;
    tmdb.script = new Map([
      [862, [200]],
      [9087, [429, 200]],
      [807, [500, 503, 200]],
      [12345, [404]],
    ]);
    const events: number[] = [];
    const s = await withStore(store, (conn) =>
      fetchTmdbMetadata(conn, {
        apiKey: "good-key",
        baseUrl: tmdb.url,
        concurrency: 2,
        ratePerSecond: 200,
        backoffMs: 5,
        onProgress: (e) => events.push(e.done),
      }),
    );
    assert.deepEqual(
      {
        missing: s.missing,
        fetched: s.fetched,
        notFound: s.notFound,
        failed: s.failed,
        requests: s.requests,
      },
      { missing: 4, fetched: 3, notFound: 1, failed: 0, requests: 7 },
    );
    assert.ok(tmdb.maxInFlight <= 2, `at most 2 requests in flight, saw ${tmdb.maxInFlight}`);
    assert.ok(tmdb.log.every((r) => r.key === "good-key"));
    assert.deepEqual(events.at(-1), 4);
    const meta = await withStore(store, readMetadata);
    assert.deepEqual([...meta.keys()].sort(), [1, 2, 3]);
    assert.deepEqual(meta.get(1), {
      overview: "Overview of 862, with a comma.",
      posterPath: "/p862.jpg",
    });
    assert.equal(posterUrl(meta.get(1)!.posterPath), "https://image.tmdb.org/t/p/w342/p862.jpg");

    tmdb.log = [];
    const again = await withStore(store, (conn) =>
      fetchTmdbMetadata(conn, { apiKey: "good-key", baseUrl: tmdb.url }),
    );
    assert.equal(again.missing, 0);
    assert.equal(tmdb.log.length, 0, "the re-run asked TMDB nothing");

    // A rebuilt store (e.g. the files changed) keeps the fetched metadata.
    await loadDataset(FIXTURE, { store, rebuild: true });
    assert.equal((await withStore(store, readMetadata)).size, 3);
  });

  test("request starts are spaced to the rate limit", async () => {
    const store = await freshStore();
    tmdb.log = [];
    tmdb.script = new Map([862, 9087, 807, 12345].map((id) => [id, [200]]));
    // Measured on the client: four starts at 10/s take at least three 100 ms gaps. (Arrival
    // times at the server can bunch up on a loaded machine, so they are not what we check.)
    const started = performance.now();
    await withStore(store, (conn) =>
      fetchTmdbMetadata(conn, {
        apiKey: "good-key",
        baseUrl: tmdb.url,
        concurrency: 4,
        ratePerSecond: 10,
      }),
    );
    const elapsed = performance.now() - started;
    assert.equal(tmdb.log.length, 4);
    assert.ok(
      elapsed >= 285,
      `4 requests at 10/s took ${elapsed.toFixed(0)} ms, expected >= 300 ms`,
    );
  });

  test("a v4 token goes in a Bearer header; limit leaves the rest for later", async () => {
    const store = await freshStore();
    tmdb.log = [];
    tmdb.validKey = "eyJ.token";
    tmdb.script = new Map([862, 9087, 807, 12345].map((id) => [id, [200]]));
    try {
      const s = await withStore(store, (conn) =>
        fetchTmdbMetadata(conn, {
          apiKey: "eyJ.token",
          baseUrl: tmdb.url,
          limit: 2,
          ratePerSecond: 200,
        }),
      );
      assert.equal(s.fetched, 2);
      assert.equal(s.skipped, 2);
      assert.ok(tmdb.log.every((r) => r.auth === "Bearer eyJ.token" && r.key === null));
      const rest = await withStore(store, (conn) =>
        fetchTmdbMetadata(conn, { apiKey: "eyJ.token", baseUrl: tmdb.url, ratePerSecond: 200 }),
      );
      assert.equal(rest.missing, 2);
      assert.equal(rest.fetched, 2);
    } finally {
      tmdb.validKey = "good-key";
    }
  });

  test("a rejected key stops the run with ERR_UNAUTHORIZED; persistent 5xx are retried, then left for next time", async () => {
    const store = await freshStore();
    await assert.rejects(
      withStore(store, (conn) =>
        fetchTmdbMetadata(conn, { apiKey: "bad-key", baseUrl: tmdb.url, ratePerSecond: 200 }),
      ),
      (e: unknown) =>
        isCinerankError(e) &&
        e.code === "ERR_UNAUTHORIZED" &&
        /TMDB rejected the API key/.test(e.message),
    );
    tmdb.log = [];
    tmdb.script = new Map([862, 9087, 807, 12345].map((id) => [id, [502]]));
    const s = await withStore(store, (conn) =>
      fetchTmdbMetadata(conn, {
        apiKey: "good-key",
        baseUrl: tmdb.url,
        retries: 2,
        backoffMs: 2,
        ratePerSecond: 500,
      }),
    );
    assert.equal(s.failed, 4);
    assert.equal(tmdb.log.length, 12, "1 try + 2 retries per movie");
    tmdb.script = new Map([862, 9087, 807, 12345].map((id) => [id, [200]]));
    const later = await withStore(store, (conn) =>
      fetchTmdbMetadata(conn, { apiKey: "good-key", baseUrl: tmdb.url, ratePerSecond: 500 }),
    );
    assert.equal(later.fetched, 4);
  });

  test("a server that is down fails the movies, not the process", async () => {
    const store = await freshStore();
    const s = await withStore(store, (conn) =>
      fetchTmdbMetadata(conn, {
        apiKey: "k",
        baseUrl: "http://127.0.0.1:9/3",
        retries: 1,
        backoffMs: 1,
        ratePerSecond: 500,
      }),
    );
    assert.equal(s.failed, 4);
    assert.equal(s.fetched, 0);
  });
});

describe("metadata file import", () => {
  test("CSV with quoted overviews (commas, quotes, newlines) and JSON both land in the store", async () => {
    const store = await freshStore();
    const csv = join(tmp, "meta.csv");
    writeFileSync(
      csv,
      'movieId,overview,posterPath\r\n1,"Toys, alive. ""Woody"" is\nworried.",/toy.jpg\r\n2,,https://example.org/p.png\r\n',
    );
    const a = await withStore(store, (conn) => importMetadataFile(conn, csv));
    assert.deepEqual(a, { rows: 2, withPoster: 2, withOverview: 1 });
    const json = join(tmp, "meta.json");
    writeFileSync(
      json,
      JSON.stringify({
        items: [{ movieId: 3, overview: "Third.", poster_path: null, tmdbId: 807 }],
      }),
    );
    await withStore(store, (conn) => importMetadataFile(conn, json));
    const meta = await withStore(store, readMetadata);
    assert.deepEqual(meta.get(1), {
      overview: 'Toys, alive. "Woody" is\nworried.',
      posterPath: "/toy.jpg",
    });
    assert.equal(posterUrl(meta.get(2)!.posterPath), "https://example.org/p.png");
    assert.deepEqual(meta.get(3), { overview: "Third.", posterPath: null });
    // A file import answers those movies, so a TMDB run does not ask for them again.
    const s = await withStore(store, (conn) =>
      fetchTmdbMetadata(conn, {
        apiKey: "k",
        baseUrl: "http://127.0.0.1:9/3",
        retries: 0,
        ratePerSecond: 500,
      }),
    );
    assert.equal(s.missing, 1); // only movie 5 (tmdb 12345) is left
  });

  test("bad rows are errors naming the file, the row and the field", async () => {
    const store = await freshStore();
    const cases: [string, string, string, RegExp][] = [
      [
        "unknown.csv",
        "movieId,overview\n1,ok\n999,nope\n",
        "ERR_UNKNOWN_MOVIE",
        /unknown\.csv data row 2: movieId 999 is not in the dataset/,
      ],
      [
        "badid.json",
        '[{"movieId":"x1"}]',
        "ERR_DATA_MALFORMED",
        /badid\.json item 0: field "movieId" must be a whole number/,
      ],
      ["noheader.csv", "id,overview\n1,x\n", "ERR_DATA_BAD_HEADER", /must name a movieId column/],
      ["broken.json", "[{", "ERR_DATA_MALFORMED", /not valid JSON/],
      ["meta.txt", "x", "ERR_INVALID_ARGUMENT", /\.csv or \.json/],
    ];
    for (const [name, body, code, re] of cases) {
      const f = join(tmp, name);
      writeFileSync(f, body);
      await assert.rejects(
        withStore(store, (conn) => importMetadataFile(conn, f)),
        (e: unknown) => isCinerankError(e) && e.code === code && re.test(e.message),
        name,
      );
    }
    assert.equal((await withStore(store, readMetadata)).size, 0, "a failed import stores nothing");
  });
});
