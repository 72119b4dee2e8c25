/**
 * `npm run bench:data`: generates the ml-20m-shaped synthetic dataset once (cached in
 * bench/.cache; `--fresh` regenerates), then times `cinerank generate` and `loadDataset` (store
 * build + read into typed arrays), each in its own process so peak memory (max RSS) is per step.
 * Competitors on the same file in the same run: DuckDB's own read_csv into a table (the floor
 * for our store build) and pandas.read_csv when python3-pandas is installed.
 * Targets (2-core machine): generate <= 60 s, load of 20M ratings <= 15 s, peak memory <= 3 GB.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateSynthetic, loadDataset, ML20M_SHAPE } from "../src/data/index.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const cache = join(root, "bench", ".cache");
const dataDir = join(cache, "ml-20m-synthetic");
const timingFile = join(cache, "ml-20m-synthetic.generate.json");
const storePath = join(cache, "ml-20m-synthetic.duckdb");

interface Step {
  seconds: number;
  /** user + system CPU seconds of the process (less sensitive to a busy machine than wall time). */
  cpuSeconds: number;
  maxRssMB: number;
  extra?: Record<string, number | string>;
}

function rssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Child-process steps: each prints one JSON line. */
async function child(step: string): Promise<void> {
  const t0 = performance.now();
  let extra: Step["extra"];
  if (step === "generate") {
    const r = await generateSynthetic({ out: dataDir, ...ML20M_SHAPE, seed: 42 });
    extra = { tags: r.tags };
  } else if (step === "load") {
    const r = await loadDataset(dataDir, { store: storePath, rebuild: true });
    extra = {
      build: r.store.buildSeconds,
      read: r.store.readSeconds,
      ratings: r.dataset.ratings.rating.length,
    };
  } else if (step === "duckdb") {
    const db = join(cache, "duckdb-read-csv.duckdb");
    rmSync(db, { force: true });
    const inst = await DuckDBInstance.create(db);
    const conn = await inst.connect();
    await conn.run(
      `CREATE TABLE ratings AS SELECT * FROM read_csv('${join(dataDir, "ratings.csv")}')`,
    );
    await conn.run("CHECKPOINT");
    conn.closeSync();
    inst.closeSync();
    rmSync(db, { force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  const ru = process.resourceUsage();
  const cpuSeconds = (ru.userCPUTime + ru.systemCPUTime) / 1e6;
  process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, maxRssMB: rssMB(), extra })}\n`);
}

function run(step: string): Step {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), step], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop()!);
}

/** A Python with pandas: Debian's /usr/bin/python3 first (a pyenv `python3` may lack it). */
function pythonWithPandas(): string | null {
  const has = (py: string) => spawnSync(py, ["-c", "import pandas"]).status === 0;
  for (const py of ["/usr/bin/python3", "python3"]) if (has(py)) return py;
  // CI machines are fresh: try to install it, as the README says
  spawnSync("sh", ["-c", "apt-get install -y -qq python3-pandas >/dev/null 2>&1"], {
    stdio: "ignore",
  });
  return has("/usr/bin/python3") ? "/usr/bin/python3" : null;
}

function pandas(): Step | null {
  const py = pythonWithPandas();
  if (!py) return null;
  const script = `
import time, resource, pandas as pd
t = time.perf_counter()
c = time.process_time()
df = pd.read_csv(${JSON.stringify(join(dataDir, "ratings.csv"))}, dtype={"userId": "int32", "movieId": "int32", "rating": "float32", "timestamp": "int64"})
s = time.perf_counter() - t
print(f'{{"seconds": {s}, "cpuSeconds": {time.process_time() - c}, "maxRssMB": {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}}}')
`;
  const r = spawnSync(py, ["-c", script], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

async function main(): Promise<void> {
  const step = process.argv[2];
  if (step === "generate" || step === "load" || step === "duckdb") return child(step);
  mkdirSync(cache, { recursive: true });
  const fresh = process.argv.includes("--fresh");
  let gen: Step & { date?: string; cached?: boolean };
  if (fresh || !existsSync(join(dataDir, "cinerank-synthetic.json")) || !existsSync(timingFile)) {
    process.stderr.write("generating the ml-20m-shaped dataset (once)...\n");
    gen = { ...run("generate"), date: new Date().toISOString() };
    writeFileSync(timingFile, JSON.stringify(gen));
  } else {
    gen = { ...JSON.parse(readFileSync(timingFile, "utf8")), cached: true };
  }
  const loadBefore = loadavg()[0];
  process.stderr.write("loading (store build + read)...\n");
  const load = run("load");
  process.stderr.write("competitors...\n");
  const duck = run("duckdb");
  const pd = pandas();
  const loadAfter = loadavg()[0];
  const fmt = (x: number) => x.toFixed(1);
  const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
  const cpu = (x: Step) => (x.cpuSeconds === undefined ? "" : fmt(x.cpuSeconds));
  const lines = [
    `| step | wall s | CPU s | peak RSS (MB) | target | vs competitor (wall) |`,
    `|---|---|---|---|---|---|`,
    `| generate ml-20m shape (${ML20M_SHAPE.ratings.toLocaleString("en-US")} ratings)${gen.cached ? ` (timed ${gen.date})` : ""} | ${fmt(gen.seconds)} | ${cpu(gen)} | ${gen.maxRssMB} | <= 60 s | |`,
    `| load: store build (parse, validate, DuckDB tables) | ${fmt(Number(load.extra?.build))} | | | <= 15 s | ${ratio(Number(load.extra?.build), duck.seconds)} DuckDB read_csv |`,
    `| load: read Dataset (typed arrays) | ${fmt(Number(load.extra?.read))} | | | | |`,
    `| load total | ${fmt(load.seconds)} | ${cpu(load)} | ${load.maxRssMB} | <= 3 GB | ${pd ? `${ratio(load.seconds, pd.seconds)} pandas.read_csv` : "pandas not available"} |`,
    `| competitor: DuckDB read_csv -> table | ${fmt(duck.seconds)} | ${cpu(duck)} | ${duck.maxRssMB} | | |`,
    pd
      ? `| competitor: pandas.read_csv (ratings only) | ${fmt(pd.seconds)} | ${cpu(pd)} | ${pd.maxRssMB} | | |`
      : "",
  ].filter(Boolean);
  process.stdout.write(
    `${lines.join("\n")}\n\nload average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; ${process.version}\n`,
  );
}

await main();
