/**
 * `npm run bench:api`: the HTTP API under load and the recommender in process, on
 * ml-latest-small artifacts.
 *
 *   1. a run: `--run DIR` or, by default, a run of `--model` (default gbdt, default settings)
 *      trained once with the train pipeline into $TMPDIR/cinerank-bench-api (private store,
 *      reused by later runs of the bench)
 *   2. in process: top-10 recommendations for random known users (p50/p95/p99 latency)
 *   3. `cinerank serve` in a child process on loopback; autocannon (this process) with
 *      50 connections for 30 s on GET /api/users/:id/recommendations?k=10, random user ids,
 *      the server's recommendation cache off unless `--cache N`; its resident memory sampled
 *      every second
 *
 * Targets (issue): >= 500 req/s, p99 <= 50 ms, zero errors, RSS not growing. Prints a Markdown
 * table with `uptime` before and after (the machine is shared).
 *
 *   node dist/bench/api.js [--run DIR | --model gbdt|lr|rf] [--duration 30] [--connections 50]
 *                          [--cache N]   (server recommendation cache; default 0 = off)
 */
import { type ChildProcess, execSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import * as artifacts from "../src/artifacts/index.js";
import { rngFor } from "../src/core/index.js";
import { loadDataset } from "../src/data/index.js";
import { openRecommender } from "../src/recommend/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DATA = resolve(ROOT, "..", "shared", "data", "ml-latest-small");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const uptime = () => execSync("uptime").toString().trim();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => res(port));
    });
    s.once("error", rej);
  });
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function ensureRun(cache: string, store: string, model: string): Promise<string> {
  const out = join(cache, `artifacts-${model}`);
  if (await artifacts.readLatest(out)) return out;
  // Looked up at run time: the train pipeline lands separately.
  const trainRun = (
    artifacts as unknown as { trainRun?: (o: Record<string, unknown>) => Promise<unknown> }
  ).trainRun;
  if (!trainRun) throw new Error("no trainRun in src/artifacts: pass --run DIR");
  process.stderr.write(`bench:api: training a ${model} run on ml-latest-small (once)...\n`);
  const { dataset } = await loadDataset(DATA, { store });
  await trainRun({
    dataset,
    data: DATA,
    models: [model],
    tune: "none",
    out,
    topN: 0,
    rankingUsers: 200,
  });
  return out;
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 180_000) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not become healthy within 180 s");
}

async function main(): Promise<void> {
  const duration = Number(arg("duration", "30"));
  // Recommendation cache of the server: 0 (off) is the benchmark the targets are about.
  const cache = Number(arg("cache", "0"));
  const connections = Number(arg("connections", "50"));
  const cacheDir = join(tmpdir(), "cinerank-bench-api");
  await mkdir(cacheDir, { recursive: true });
  const store = join(cacheDir, "store.duckdb");
  const model0 = arg("model", "gbdt");
  const run = resolve(
    process.argv.includes("--run") ? arg("run", "") : await ensureRun(cacheDir, store, model0),
  );
  const loadBefore = uptime();

  // In process: top-10 for random known users.
  const opened = await openRecommender({ run, data: DATA, store });
  const rec = opened.recommender;
  const users = opened.dataset.users.toArray();
  const rng = rngFor(7);
  for (let i = 0; i < 200; i++) rec.recommend(users[rng.int(users.length)], { k: 10 });
  const times: number[] = [];
  // CPU time beside wall time: on a shared machine wall time mostly measures the queue.
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < 1000; i++) {
    const u = users[rng.int(users.length)];
    const t = performance.now();
    rec.recommend(u, { k: 10 });
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerList = (cpu.user + cpu.system) / 1000 / 1000;
  times.sort((a, b) => a - b);
  const model = opened.metrics.chosen.key;
  const movies = opened.dataset.movies.size;
  await rec.close();

  // Over HTTP: the real server in a child process.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "bin", "cinerank.js"),
      "serve",
      "--run",
      run,
      "--data",
      DATA,
      "--store",
      store,
      "--port",
      String(port),
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  try {
    await waitHealthy(url, child);
    const pid = child.pid ?? 0;
    const requests = [
      {
        method: "GET" as const,
        setupRequest: (req: { path?: string }) => {
          req.path = `/api/users/${users[rng.int(users.length)]}/recommendations?k=10`;
          return req;
        },
      },
    ];
    // Warm-up (JIT, caches of the runtime), not counted.
    await autocannon({ url, connections, duration: 5, requests });
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssOf(pid)), 1000);
    rss.push(rssOf(pid));
    const result = await autocannon({ url, connections, duration, requests });
    clearInterval(sampler);
    rss.push(rssOf(pid));
    const third = rss[Math.floor(rss.length / 3)];
    const last = rss[rss.length - 1];
    const errors = result.errors + result.timeouts + result.non2xx;
    const rows: [string, string, string, boolean | null][] = [
      [
        "requests/s (mean)",
        result.requests.average.toFixed(0),
        ">= 500",
        result.requests.average >= 500,
      ],
      ["latency p50 (ms)", String(result.latency.p50), "", null],
      ["latency p99 (ms)", String(result.latency.p99), "<= 50", result.latency.p99 <= 50],
      [
        "requests / errors / timeouts / non-2xx",
        `${result.requests.total} / ${result.errors} / ${result.timeouts} / ${result.non2xx}`,
        "0 errors",
        errors === 0,
      ],
      [
        "server RSS MB: start / 1/3 / end / max",
        `${rss[0].toFixed(0)} / ${third.toFixed(0)} / ${last.toFixed(0)} / ${Math.max(...rss).toFixed(0)}`,
        "not growing",
        last <= third * 1.1,
      ],
      ["in-process top-10 CPU ms per list (mean)", cpuMsPerList.toFixed(2), "", null],
      [
        "in-process top-10 p50 / p95 / p99 (ms)",
        `${percentile(times, 0.5).toFixed(2)} / ${percentile(times, 0.95).toFixed(2)} / ${percentile(times, 0.99).toFixed(2)}`,
        "",
        null,
      ],
    ];
    const out = [
      `bench:api — ml-latest-small (${users.length} users, ${movies} movies), model ${model}, ${connections} connections x ${duration} s, loopback, ${cache > 0 ? `server cache ${cache} lists` : "no caching"}`,
      "",
      "| metric | measured | target | met |",
      "|---|---|---|---|",
      ...rows.map(
        ([m, v, t, ok]) => `| ${m} | ${v} | ${t} | ${ok === null ? "" : ok ? "yes" : "NO"} |`,
      ),
      "",
      `load before: ${loadBefore}`,
      `load after:  ${uptime()}`,
    ];
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

if (!existsSync(join(DATA, "ratings.csv"))) {
  process.stderr.write(`bench:api: no dataset at ${DATA}\n`);
  process.exit(1);
}
await main();
