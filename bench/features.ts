/**
 * `npm run bench:features`: all features (stratified split, 5 out-of-fold folds, 32-d TF-IDF+SVD
 * content embeddings) for the ml-20m-shaped synthetic dataset, at a few sizes (the first N
 * ratings), each size in its own process so peak memory (max RSS) is per size. Competitor in the
 * same run: the pandas way (bench/features_pandas.py: the original study's groupby/pivot
 * features over all ratings, no out-of-fold, no content), with an address-space cap so that a
 * too-large size fails cleanly instead of pushing the shared machine into swap.
 *
 * Data: $CINERANK_BENCH_DATA, else bench/.cache/ml-20m-synthetic (generated once, like
 * bench:data). Targets (2-core machine): 20M ratings <= 90 s, peak memory <= 8 GB.
 * Options: --sizes 1000000,20000263   --pandas-gb 16   --no-pandas
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Dataset, generateSynthetic, loadDataset, ML20M_SHAPE } from "../src/data/index.js";
import { buildFeatures } from "../src/features/index.js";
import { splitDataset } from "../src/splits/index.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const cache = join(root, "bench", ".cache");
const dataDir = process.env.CINERANK_BENCH_DATA
  ? resolve(process.env.CINERANK_BENCH_DATA)
  : join(cache, "ml-20m-synthetic");
const storePath = join(cache, "features-ml-20m-synthetic.duckdb");

interface Result {
  seconds: number;
  /** CPU seconds (user + system) of the same span: the work, whatever the machine load. */
  cpuSeconds?: number;
  maxRssMB: number;
  loadSeconds?: number;
  splitSeconds?: number;
  rows?: number;
  cols?: number;
  readSeconds?: number;
  featureColumns?: number;
  error?: string;
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}

/** The first n ratings of a dataset (users/movies keep their full index spaces). */
function firstRatings(ds: Dataset, n: number): Dataset {
  if (n >= ds.ratings.rating.length) return ds;
  const r = ds.ratings;
  return {
    ...ds,
    ratings: {
      user: r.user.slice(0, n),
      movie: r.movie.slice(0, n),
      rating: r.rating.slice(0, n),
      timestamp: r.timestamp.slice(0, n),
    },
  };
}

async function child(n: number): Promise<void> {
  const t0 = performance.now();
  const { dataset: full } = await loadDataset(dataDir, { store: storePath });
  const dataset = firstRatings(full, n);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const split = splitDataset(dataset, { kind: "stratified", seed: 42 });
  const t2 = performance.now();
  const built = await buildFeatures(dataset, split, { folds: 5 });
  const t3 = performance.now();
  const cpu = process.cpuUsage(c1);
  const m = built.matrices;
  const out: Result = {
    seconds: (t3 - t1) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    splitSeconds: (t2 - t1) / 1000,
    loadSeconds: (t1 - t0) / 1000,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    rows: m.train.rows + m.val.rows + m.test.rows,
    cols: m.train.cols,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function ours(n: number): Result {
  const out = execFileSync(
    process.execPath,
    ["--max-old-space-size=4096", fileURLToPath(import.meta.url), "child", String(n)],
    { encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(out.trim().split("\n").pop()!);
}

function python(): string | null {
  // Debian's interpreter has python3-pandas; a pyenv `python3` on PATH may not.
  for (const p of ["/usr/bin/python3", "python3"]) {
    if (spawnSync(p, ["-c", "import pandas"]).status === 0) return p;
  }
  spawnSync("sh", ["-c", "apt-get install -y -qq python3-pandas >/dev/null 2>&1"], {
    stdio: "ignore",
  });
  return spawnSync("/usr/bin/python3", ["-c", "import pandas"]).status === 0
    ? "/usr/bin/python3"
    : null;
}

function pandas(py: string, n: number, capGB: number): Result {
  const script = join(root, "bench", "features_pandas.py");
  const cap = Math.round(capGB * 1024 * 1024);
  const t0 = performance.now();
  const r = spawnSync(
    "sh",
    ["-c", `ulimit -v ${cap} && exec "$0" "$@"`, py, script, dataDir, String(n)],
    {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) {
    const why = /MemoryError|Unable to allocate|cannot allocate/i.test(r.stderr)
      ? `out of memory (cap ${capGB} GB)`
      : `failed: ${r.stderr.trim().split("\n").pop()}`;
    return { seconds: (performance.now() - t0) / 1000, maxRssMB: 0, error: why };
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

async function main(): Promise<void> {
  if (process.argv[2] === "child") return child(Number(process.argv[3]));
  mkdirSync(cache, { recursive: true });
  if (!existsSync(join(dataDir, "ratings.csv"))) {
    process.stderr.write(`generating the ml-20m-shaped dataset in ${dataDir} (once)...\n`);
    await generateSynthetic({ out: dataDir, ...ML20M_SHAPE, seed: 42 });
  }
  const sizes = arg("--sizes", `1000000,${ML20M_SHAPE.ratings}`).split(",").map(Number);
  const capGB = Number(arg("--pandas-gb", "16"));
  const py = python();
  const rows: string[] = [
    "| ratings | cinerank features: wall s | cinerank CPU s | peak RSS (MB) | rows x features | pandas way: wall s | pandas CPU s | pandas peak RSS (MB) | pandas / cinerank (CPU) | load avg |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const n of sizes) {
    const before = loadavg()[0];
    process.stderr.write(`cinerank features, ${n.toLocaleString("en-US")} ratings...\n`);
    const a = ours(n);
    process.stderr.write(`pandas, ${n.toLocaleString("en-US")} ratings...\n`);
    const p =
      py && !process.argv.includes("--no-pandas")
        ? pandas(py, n, capGB)
        : { seconds: 0, maxRssMB: 0, error: "pandas not available" };
    const after = loadavg()[0];
    const pd = p.error ? p.error : p.seconds.toFixed(1);
    const ratio =
      p.error || !p.cpuSeconds || !a.cpuSeconds
        ? ""
        : `${(p.cpuSeconds / a.cpuSeconds).toFixed(2)}x`;
    rows.push(
      `| ${n.toLocaleString("en-US")} | ${a.seconds.toFixed(1)} (split ${a.splitSeconds?.toFixed(1)}) | ${a.cpuSeconds?.toFixed(1)} | ${a.maxRssMB} | ${a.rows?.toLocaleString("en-US")} x ${a.cols} | ${pd} | ${p.error ? "" : p.cpuSeconds?.toFixed(1)} | ${p.error ? "" : p.maxRssMB} | ${ratio} | ${before.toFixed(1)} -> ${after.toFixed(1)} |`,
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  process.stdout.write(
    `${rows.join("\n")}\n\ncinerank: stratified split + 5-fold out-of-fold aggregates + 32-d content embeddings, after loading (load excluded, as for pandas: CSV read excluded).\npandas way: aggregates over all ratings (leaky, no folds, no content), merged onto every row.\n${process.version}, 2 cores shared with other work; load average = 1-minute load before -> after each size.\n`,
  );
}

await main();
