/**
 * `npm run bench:api`: the HTTP API under load and the recommender in process, on
 * ml-latest-small artifacts.
 *
 *   1. a run: `--run DIR` or, by default, a run of `--model` (default gbdt, default settings)
 *      trained once with the train pipeline into $TMPDIR/cinerank-bench-api (private store,
 *      reused by later runs of the bench)
 *   2. in process: top-10 recommendations for random known users (p50/p95/p99 latency)
 *   3. `cinerank serve` in a child process on loopback; autocannon (this process) or wrk
 *      (`--load wrk`; bench/http-load.ts) with 50 connections for 30 s on
 *      GET /api/users/:id/recommendations?k=10, random user ids,
 *      the server's recommendation cache off unless `--cache N`; its resident memory sampled
 *      every second
 *
 * Targets (issue): >= 500 req/s, p99 <= 50 ms, zero errors, RSS not growing; in process on
 * ml-20m-shaped artifacts, top-10 among 27k movies p50 <= 10 ms. Prints a Markdown table with
 * CPU seconds of the server and of the load generator beside wall time, os.loadavg() before and
 * after, and the server's RSS at start and end (the machine is shared). The server logs every
 * request (pino, info level) to a file, as a deployment would; that log gives the time each
 * request spent in the server. With a fixed number of connections each sending its next request
 * when the last is answered, the mean latency is connections / throughput (Little's law) however
 * the server works inside: the table shows it beside the measured p50/p99.
 *
 *   node dist/bench/api.js [--run DIR | --model gbdt|lr|rf] [--duration 30] [--connections 50]
 *                          [--load autocannon|wrk]  (load generator; default autocannon)
 *                          [--cache N]   (server recommendation cache; default 0 = off)
 *                          [--data DIR] [--store FILE]  (with --run: default the run's data
 *                                         folder, and a store in the bench's cache folder)
 *                          [--lists 1000] (in-process lists) [--in-process] (skip the server)
 *                          [--workers N]  (server scoring threads; default: one per core but
 *                                          one for tree models, none for LR)
 *                          [--heap-growth P]  (the server's --heap-growth; default its own)
 *                          [--semi-space MB]  (the server's node --max-semi-space-size; default
 *                                              32, as `npm start` runs it; 0 = V8's own, 16)
 *
 * In process on an ml-20m run: node dist/bench/api.js --run artifacts-20m --in-process
 */
import { type ChildProcess, execSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as artifacts from "../src/artifacts/index.js";
import { rngFor } from "../src/core/index.js";
import { loadDataset } from "../src/data/index.js";
import { openRecommender } from "../src/recommend/index.js";
import { httpLoad } from "./http-load.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DATA = resolve(ROOT, "..", "shared", "data", "ml-latest-small");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const uptime = () => execSync("uptime").toString().trim();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields 14 and 15 of stat (utime, stime); f starts at field 3
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Latency in ms: whole ms as autocannon reports them, wrk's microseconds to 0.1 ms. */
const fmtMs = (ms: number) => (Number.isInteger(ms) ? String(ms) : ms.toFixed(1));

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
  // Scoring worker threads of the server ("" = its default: one per core but one, for trees).
  const workers = arg("workers", "");
  const heapGrowth = arg("heap-growth", "");
  const semiSpace = arg("semi-space", "32");
  if (!/^\d+$/.test(semiSpace))
    throw new Error(`--semi-space expects a whole number of MB (0 = V8's own), got ${semiSpace}`);
  const tool = arg("load", "autocannon");
  if (tool !== "autocannon" && tool !== "wrk")
    throw new Error(`--load expects autocannon or wrk, got ${tool}`);
  const cacheDir = join(tmpdir(), "cinerank-bench-api");
  await mkdir(cacheDir, { recursive: true });
  const ownRun = process.argv.includes("--run");
  // With --run: the run's own data folder unless --data; the store always in the cache folder
  // (a data folder may be read-only).
  const data = process.argv.includes("--data")
    ? resolve(arg("data", ""))
    : ownRun
      ? undefined
      : DATA;
  const store = process.argv.includes("--store")
    ? resolve(arg("store", ""))
    : join(
        cacheDir,
        data === undefined || data === DATA ? "store.duckdb" : `store-${basename(data)}.duckdb`,
      );
  const model0 = arg("model", "gbdt");
  const run = resolve(ownRun ? arg("run", "") : await ensureRun(cacheDir, store, model0));
  const lists = Number(arg("lists", "1000"));
  const loadBefore = uptime();
  const loadAvgBefore = load();

  // In process: top-10 for random known users.
  const t0 = performance.now();
  const opened = await openRecommender({ run, data, store });
  const openSeconds = (performance.now() - t0) / 1000;
  const rec = opened.recommender;
  const users = opened.dataset.users.toArray();
  const rng = rngFor(7);
  for (let i = 0; i < 200; i++) rec.recommend(users[rng.int(users.length)], { k: 10 });
  const times: number[] = [];
  // CPU time beside wall time: on a shared machine wall time mostly measures the queue.
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < lists; i++) {
    const u = users[rng.int(users.length)];
    const t = performance.now();
    rec.recommend(u, { k: 10 });
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  const wallLists = (performance.now() - wall0) / 1000;
  const cpuMsPerList = (cpu.user + cpu.system) / 1000 / lists;
  times.sort((a, b) => a - b);
  const model = opened.metrics.chosen.key;
  const movies = opened.dataset.movies.size;
  const ratings = opened.dataset.ratings.user.length;
  await rec.close();
  const p50 = percentile(times, 0.5);
  const inProcess: [string, string, string, boolean | null][] = [
    ["open run (s)", openSeconds.toFixed(1), "", null],
    [
      `in-process top-10 among ${movies.toLocaleString("en-US")} movies p50 / p95 / p99 (ms)`,
      `${p50.toFixed(2)} / ${percentile(times, 0.95).toFixed(2)} / ${percentile(times, 0.99).toFixed(2)}`,
      "p50 <= 10 (ml-20m)",
      p50 <= 10,
    ],
    [
      `in-process ${lists} lists: wall s / CPU s (CPU ms per list)`,
      `${wallLists.toFixed(2)} / ${((cpu.user + cpu.system) / 1e6).toFixed(2)} (${cpuMsPerList.toFixed(2)})`,
      "",
      null,
    ],
  ];
  const table = (title: string, rows: [string, string, string, boolean | null][]) =>
    [
      title,
      "",
      "| metric | measured | target | met |",
      "|---|---|---|---|",
      ...rows.map(
        ([m, v, t, ok]) => `| ${m} | ${v} | ${t} | ${ok === null ? "" : ok ? "yes" : "NO"} |`,
      ),
      "",
    ].join("\n");
  const inTitle = `bench:api — ${opened.dataset.release} (${users.length.toLocaleString("en-US")} users, ${movies.toLocaleString("en-US")} movies, ${ratings.toLocaleString("en-US")} ratings), model ${model}, in process`;
  if (process.argv.includes("--in-process")) {
    process.stdout.write(
      `${table(inTitle, inProcess)}\nload before: ${loadBefore}\nload after:  ${uptime()}\n`,
    );
    return;
  }

  // Over HTTP: the real server in a child process, logging every request to a file.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(cacheDir, "server.log");
  const logFd = openSync(logFile, "w");
  const child = spawn(
    process.execPath,
    [
      ...(semiSpace === "0" ? [] : [`--max-semi-space-size=${semiSpace}`]),
      join(ROOT, "bin", "cinerank.js"),
      "serve",
      "--run",
      run,
      ...(data ? ["--data", data] : []),
      "--store",
      store,
      "--port",
      String(port),
      "--log-level",
      "info",
      "--cache",
      String(cache),
      ...(workers === "" ? [] : ["--workers", workers]),
      ...(heapGrowth === "" ? [] : ["--heap-growth", heapGrowth]),
    ],
    { stdio: ["ignore", logFd, "inherit"] },
  );
  closeSync(logFd);
  try {
    await waitHealthy(url, child);
    const pid = child.pid ?? 0;
    const rssStart = rssOf(pid);
    const load0 = {
      url,
      path: (u: number) => `/api/users/${u}/recommendations?k=10`,
      users,
      random: () => rng.next(),
      connections,
    };
    // Warm-up (JIT, caches of the runtime), not counted.
    await httpLoad(tool, { ...load0, seconds: 5 });
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssOf(pid)), 1000);
    rss.push(rssOf(pid));
    const httpLoadBefore = load();
    const logFrom = statSync(logFile).size;
    const serverCpu0 = cpuSecondsOf(pid);
    const wall0 = performance.now();
    const result = await httpLoad(tool, { ...load0, seconds: duration });
    const wall = (performance.now() - wall0) / 1000;
    const serverCpu = cpuSecondsOf(pid) - serverCpu0;
    const httpLoadAfter = load();
    clearInterval(sampler);
    rss.push(rssOf(pid));
    // Garbage rises and falls with the full GCs (with --heap-growth 200 and little promotion
    // one may come only every 20 s or more), so two single samples can differ by tens of MB
    // either way; a leak raises the floor. So: the last third's lowest against the first
    // third's highest.
    const cut = Math.max(1, Math.floor(rss.length / 3));
    const firstMax = Math.max(...rss.slice(0, cut));
    const lastMin = Math.min(...rss.slice(rss.length - cut));
    const last = rss[rss.length - 1];
    const errors = result.errors + result.timeouts + result.non2xx;
    const total = result.total;
    const logText = readFileSync(logFile);
    const logLines = logText
      .toString("utf8")
      .split("\n")
      .filter((l) => l.includes('"request"')).length;
    // The server's own time per request (its log's "ms": from reading the request to the
    // answer sent), during the measured run only.
    const inServer = logText
      .subarray(logFrom)
      .toString("utf8")
      .split("\n")
      .filter((l) => l.includes('"request"'))
      .map((l) => Number(/"ms":([0-9.]+)/.exec(l)?.[1]))
      .filter((x) => Number.isFinite(x))
      .sort((a, b) => a - b);
    const inServerMean = inServer.reduce((a, b) => a + b, 0) / Math.max(1, inServer.length);
    const rows: [string, string, string, boolean | null][] = [
      [
        "requests/s (mean)",
        result.requestsPerSecond.toFixed(0),
        ">= 500",
        result.requestsPerSecond >= 500,
      ],
      ["latency p50 (ms)", fmtMs(result.p50), "", null],
      ["latency p99 (ms)", fmtMs(result.p99), "<= 50", result.p99 <= 50],
      [
        `mean latency any server has at this throughput: ${connections} connections / requests/s (ms)`,
        ((1000 * connections) / Math.max(1, result.requestsPerSecond)).toFixed(1),
        "",
        null,
      ],
      [
        "in the server (request log): p50 / p99 / mean (ms)",
        inServer.length > 0
          ? `${percentile(inServer, 0.5).toFixed(1)} / ${percentile(inServer, 0.99).toFixed(1)} / ${inServerMean.toFixed(1)}`
          : "-",
        "",
        null,
      ],
      [
        "requests / errors / timeouts / non-2xx",
        `${total} / ${result.errors} / ${result.timeouts} / ${result.non2xx}`,
        "0 errors",
        errors === 0,
      ],
      [
        `wall s / server CPU s (ms per request) / ${tool} CPU s`,
        `${wall.toFixed(1)} / ${serverCpu.toFixed(1)} (${((serverCpu * 1000) / Math.max(1, total)).toFixed(2)}) / ${result.generatorCpu.toFixed(1)}`,
        "",
        null,
      ],
      [
        "server RSS MB: start / before run / first third's max / last third's min / end / max",
        `${rssStart.toFixed(0)} / ${rss[0].toFixed(0)} / ${firstMax.toFixed(0)} / ${lastMin.toFixed(0)} / ${last.toFixed(0)} / ${Math.max(...rss).toFixed(0)}`,
        "not growing",
        lastMin <= firstMax * 1.1,
      ],
      ["request log lines written (info level, to a file)", String(logLines), "", null],
      [
        "loadavg 1/5/15 min: before / after the run",
        `${httpLoadBefore} / ${httpLoadAfter}`,
        "",
        null,
      ],
    ];
    const out = [
      table(
        `bench:api — ${opened.dataset.release} (${users.length} users, ${movies} movies), model ${model}, ${tool}, ${connections} connections x ${duration} s, loopback, ${cache > 0 ? `server cache ${cache} lists` : "no caching"}, scoring workers ${workers || `default (one per core but one for trees: ${Math.max(1, availableParallelism() - 1)}, plus the main thread when they fall behind)`}, heap growth ${heapGrowth || "the server's default"}, node ${semiSpace === "0" ? "with V8's own young generation" : `--max-semi-space-size=${semiSpace}`}`,
        rows,
      ),
      table(inTitle, inProcess),
      `load before: ${loadBefore} (loadavg ${loadAvgBefore})`,
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
