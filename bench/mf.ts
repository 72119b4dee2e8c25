/**
 * `npm run bench:mf`: speed of the collaborative models on the ml-20m-shaped synthetic dataset
 * and their accuracy on ml-latest-small, with reference implementations run on the same rows in
 * the same run.
 *
 *  1. ml-20m shape (`cinerank generate`'s generator, seed 42, 138,493 users x 27,278 movies x
 *     20,000,263 ratings; generated once into bench/.cache, `MF_BENCH_DATA=<dir>` to reuse a
 *     folder): biased-MF ALS with k = 64 (default solver: CG, 2 steps, WebAssembly SIMD
 *     kernel), wall and CPU seconds of 2 iterations (the first includes setup); in the same run,
 *     one iteration of the same CG-ALS on the scalar JavaScript kernel (the previous default),
 *     as the same-load competitor (`--skip-js-als` leaves it out); and item-kNN top-50 lists
 *     for every movie. Targets on the 2-core machine: <= 10 s per ALS iteration, <= 60 s for
 *     the kNN lists. CPU seconds come from process.cpuUsage(), which on Linux (getrusage
 *     RUSAGE_SELF) includes the worker threads; CPU seconds / threads is what an idle machine
 *     would take: the machine is shared, so wall time alone mostly measures the other
 *     processes. The 1-minute load average is printed at the start of every step.
 *  2. ml-latest-small, stratified split, seed 42 (../shared/data/ml-latest-small): test RMSE/MAE
 *     of biased MF (defaults, k = 32) and of the truncated-SVD variant (k = 20), beside
 *     bench/mf_reference.py on the exported split: a NumPy biased ALS with exact solves (same
 *     objective) and scikit-learn's TruncatedSVD on the same user-centred matrix.
 *
 * Prints Markdown tables (README "Benchmarks") and writes bench/out/mf.json. `--skip-large`
 * runs only part 2, `--skip-small` only part 1 (`--skip-knn`: without the kNN lists), `--builtin-generator` uses bench/mf-synthetic.ts instead of the data
 * layer's generator (no DuckDB load).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "../src/core/index.js";
import { generateSynthetic, loadDataset, ML20M_SHAPE } from "../src/data/index.js";
import {
  fitBiasedMf,
  fitTruncatedSvdMf,
  type RatingTriples,
  ratingErrors,
  ratingTriples,
} from "../src/models/factorization/index.js";
import { fitItemKnn } from "../src/models/neighbors/index.js";
import { splitDataset } from "../src/splits/index.js";
import { AlsEngine } from "../src/models/factorization/als-engine.js";
import { ML20M_SHAPE as BUILTIN_SHAPE, syntheticRatings } from "./mf-synthetic.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const cache = join(root, "bench", ".cache");
const outDir = join(root, "bench", "out");
const args = new Set(process.argv.slice(2));
const threads = availableParallelism();

/** User + system CPU time of this process, all threads included (getrusage). */
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");
const log = (s: string) => process.stderr.write(`${s}\n`);

interface LargeResult {
  source: string;
  ratings: number;
  users: number;
  movies: number;
  alsSecondsPerIteration: number[];
  /** CPU seconds (all threads of the process) per iteration: the load-independent measure. */
  alsCpuSecondsPerIteration: number[];
  alsPeakRssMB: number;
  /** Load average (1 min) at the start of each ALS iteration. */
  alsLoad: number[];
  /** One CG-ALS iteration (users + movies) on the scalar JS kernel, same settings; NaN if skipped. */
  jsAlsSeconds: number;
  jsAlsCpuSeconds: number;
  jsAlsLoad: number;
  knnSeconds: number;
  knnLoad: number;
  knnCpuSeconds: number;
  knnNeighbours: number;
  knnPeakRssMB: number;
  loadBefore: string;
  loadAfter: string;
}

async function largeRatings(): Promise<{ data: RatingTriples; source: string }> {
  if (args.has("--builtin-generator")) {
    return { data: syntheticRatings(BUILTIN_SHAPE), source: "bench/mf-synthetic.ts (seed 20)" };
  }
  const dir = process.env.MF_BENCH_DATA ?? join(cache, "ml-20m-synthetic");
  if (!existsSync(join(dir, "ratings.csv"))) {
    log(`generating ${dir} ...`);
    await generateSynthetic({ out: dir, ...ML20M_SHAPE, seed: 42 });
  }
  const { dataset } = await loadDataset(dir, { store: join(cache, "mf-ml-20m-synthetic.duckdb") });
  const r = dataset.ratings;
  return {
    data: ratingTriples(r, undefined, { nUsers: dataset.users.size, nMovies: dataset.movies.size }),
    source: "cinerank generate (ml-20m shape, seed 42)",
  };
}

async function large(): Promise<LargeResult> {
  const { data, source } = await largeRatings();
  log(`large: ${data.rating.length} ratings, ${data.nUsers} users, ${data.nMovies} movies`);
  const loadBefore = load();
  const stamps: number[] = [performance.now()];
  const cpu: number[] = [cpuSeconds()];
  const alsLoad: number[] = [loadavg()[0]];
  await fitBiasedMf(
    data,
    { factors: 64, iterations: 2, trackLoss: false },
    {
      rng: new Rng(1),
      threads,
      onProgress: (e) => {
        stamps.push(performance.now());
        cpu.push(cpuSeconds());
        alsLoad.push(loadavg()[0]);
        const wall = (stamps.at(-1)! - stamps.at(-2)!) / 1000;
        log(
          `  ALS iteration ${e.done}: ${wall.toFixed(2)} s, ${(cpu.at(-1)! - cpu.at(-2)!).toFixed(2)} CPU s`,
        );
      },
    },
  );
  // the first interval also holds setup (CSR build, worker start): report it separately
  const perIt = stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000);
  const cpuPerIt = cpu.slice(1).map((c, i) => c - cpu[i]);
  const alsPeakRssMB = rssMB();
  alsLoad.pop();
  // the competitor in the same run: one iteration of the same CG-ALS on the JS kernel
  let jsAlsSeconds = Number.NaN;
  let jsAlsCpuSeconds = Number.NaN;
  const jsAlsLoad = loadavg()[0];
  if (!args.has("--skip-js-als")) {
    const engine = new AlsEngine(
      data,
      {
        k: 64,
        explicit: true,
        regFactor: 0.1,
        regBias: 0.1,
        weightedReg: true,
        alpha: 0,
        binary: false,
        cgSteps: 2,
        threads,
        initStd: 0.1,
        kernel: "js",
      },
      new Rng(1),
    );
    const tj = performance.now();
    const cj = cpuSeconds();
    await engine.run(1, false, "js-als");
    jsAlsSeconds = (performance.now() - tj) / 1000;
    jsAlsCpuSeconds = cpuSeconds() - cj;
    log(
      `  JS-kernel ALS iteration: ${jsAlsSeconds.toFixed(2)} s, ${jsAlsCpuSeconds.toFixed(2)} CPU s`,
    );
  }
  const knnLoad = loadavg()[0];
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const knn = args.has("--skip-knn")
    ? { nbr: new Int32Array(0) }
    : await fitItemKnn(data, { neighbours: 50 }, { threads });
  const knnSeconds = (performance.now() - t0) / 1000;
  const knnCpuSeconds = cpuSeconds() - c0;
  log(`  item-kNN: ${knnSeconds.toFixed(1)} s, ${knnCpuSeconds.toFixed(1)} CPU s`);
  return {
    source,
    ratings: data.rating.length,
    users: data.nUsers,
    movies: data.nMovies,
    alsSecondsPerIteration: perIt,
    alsCpuSecondsPerIteration: cpuPerIt,
    alsPeakRssMB,
    alsLoad,
    jsAlsSeconds,
    jsAlsCpuSeconds,
    jsAlsLoad,
    knnSeconds,
    knnLoad,
    knnCpuSeconds,
    knnNeighbours: knn.nbr.length,
    knnPeakRssMB: rssMB(),
    loadBefore,
    loadAfter: load(),
  };
}

interface SmallRow {
  model: string;
  rmse: number;
  mae: number;
  n: number;
  seconds: number;
}

async function small(): Promise<SmallRow[]> {
  const dir = join(root, "..", "shared", "data", "ml-latest-small");
  const { dataset } = await loadDataset(dir, { store: join(cache, "mf-ml-latest-small.duckdb") });
  const split = splitDataset(dataset, { kind: "stratified", seed: 42 });
  const sizes = { nUsers: dataset.users.size, nMovies: dataset.movies.size };
  const train = ratingTriples(dataset.ratings, split.train, sizes);
  const test = ratingTriples(dataset.ratings, split.test, sizes);
  const rows: SmallRow[] = [];
  let t = performance.now();
  const mf = await fitBiasedMf(train, {}, { rng: new Rng(42), threads });
  let e = ratingErrors(mf, test);
  rows.push({
    model: "cinerank biased MF (ALS, k=32, CG)",
    ...e,
    seconds: (performance.now() - t) / 1000,
  });
  t = performance.now();
  const mfc = await fitBiasedMf(train, { solver: "cholesky" }, { rng: new Rng(42), threads });
  e = ratingErrors(mfc, test);
  rows.push({
    model: "cinerank biased MF (ALS, k=32, Cholesky)",
    ...e,
    seconds: (performance.now() - t) / 1000,
  });
  t = performance.now();
  const svd = await fitTruncatedSvdMf(train, {}, { rng: new Rng(42) });
  e = ratingErrors(svd, test);
  rows.push({
    model: "cinerank truncated SVD (k=20)",
    ...e,
    seconds: (performance.now() - t) / 1000,
  });

  // the same rows for the Python references: dense indices, part 0 = train, 2 = test
  mkdirSync(outDir, { recursive: true });
  const csv = join(outDir, "mf-small-split.csv");
  const lines = ["user,movie,rating,part"];
  for (const [part, idx] of [
    [0, split.train],
    [2, split.test],
  ] as const) {
    for (const i of idx) {
      lines.push(
        `${dataset.ratings.user[i]},${dataset.ratings.movie[i]},${dataset.ratings.rating[i]},${part}`,
      );
    }
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
  // CI machines are fresh: install Debian's scikit-learn (with NumPy/SciPy) when it is missing
  const probe = spawnSync("/usr/bin/python3", ["-c", "import numpy, scipy, sklearn"]);
  if (probe.status !== 0) {
    log("installing python3-sklearn for the reference rows ...");
    spawnSync("apt-get", ["install", "-y", "-qq", "python3-sklearn"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  const py = spawnSync(
    "/usr/bin/python3",
    [join(root, "bench", "mf_reference.py"), csv, String(mf.config.reg), String(mf.config.biasReg)],
    { encoding: "utf8" },
  );
  if (py.status === 0) {
    for (const line of py.stdout.trim().split("\n")) rows.push(JSON.parse(line) as SmallRow);
  } else {
    log(`python reference failed (install python3-sklearn, python3-numpy): ${py.stderr}`);
  }
  return rows;
}

const f = (x: number, d = 4) => x.toFixed(d);

async function main(): Promise<void> {
  const result: { large?: LargeResult; small?: SmallRow[]; threads: number } = { threads };
  log(`load average at start: ${load()} (${threads} cores)`);
  if (!args.has("--skip-small")) {
    result.small = await small();
    console.log("\nml-latest-small, stratified split (seed 42), test part\n");
    console.log("| model | test RMSE | test MAE | rows | fit seconds |");
    console.log("|---|---|---|---|---|");
    for (const r of result.small) {
      console.log(`| ${r.model} | ${f(r.rmse)} | ${f(r.mae)} | ${r.n} | ${f(r.seconds, 2)} |`);
    }
  }
  if (!args.has("--skip-large")) {
    result.large = await large();
    const L = result.large;
    const steady = L.alsSecondsPerIteration.slice(1);
    console.log(
      `\n${L.source}: ${L.ratings} ratings, ${L.users} users, ${L.movies} movies, ${threads} threads\n`,
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const steadyCpu = L.alsCpuSecondsPerIteration.slice(1);
    // CPU seconds / threads = the wall time on an otherwise idle machine with perfect scaling
    const ld = (x: number) => x.toFixed(1);
    console.log(
      "| step | wall seconds | CPU seconds | CPU s / threads | load (1 min) at start | target | peak RSS |",
    );
    console.log("|---|---|---|---|---|---|---|");
    console.log(
      `| ALS k=64, first iteration (incl. CSR build + worker start) | ${f(L.alsSecondsPerIteration[0], 1)} | ${f(L.alsCpuSecondsPerIteration[0], 1)} | ${f(L.alsCpuSecondsPerIteration[0] / threads, 1)} | ${ld(L.alsLoad[0])} | | |`,
    );
    console.log(
      `| ALS k=64, later iterations (mean of ${steady.length}) | ${f(mean(steady), 1)} | ${f(mean(steadyCpu), 1)} | ${f(mean(steadyCpu) / threads, 1)} | ${ld(L.alsLoad[1] ?? Number.NaN)} | <= 10 | ${L.alsPeakRssMB} MB |`,
    );
    if (Number.isFinite(L.jsAlsSeconds)) {
      console.log(
        `| same CG-ALS iteration on the scalar JS kernel (incl. setup; same run) | ${f(L.jsAlsSeconds, 1)} | ${f(L.jsAlsCpuSeconds, 1)} | ${f(L.jsAlsCpuSeconds / threads, 1)} | ${ld(L.jsAlsLoad)} | | |`,
      );
    }
    console.log(
      `| item-kNN top-50 lists, ${L.movies} movies | ${f(L.knnSeconds, 1)} | ${f(L.knnCpuSeconds, 1)} | ${f(L.knnCpuSeconds / threads, 1)} | ${ld(L.knnLoad)} | <= 60 | ${L.knnPeakRssMB} MB |`,
    );
    if (Number.isFinite(L.jsAlsSeconds)) {
      console.log(
        `\nJS kernel / WebAssembly kernel, CPU seconds per ALS iteration: ${(L.jsAlsCpuSeconds / L.alsCpuSecondsPerIteration[0]).toFixed(2)}x (both including setup)`,
      );
    }
    console.log(`\nload average before / after the large part: ${L.loadBefore} / ${L.loadAfter}`);
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "mf.json"), `${JSON.stringify(result, null, 2)}\n`);
}

await main();
