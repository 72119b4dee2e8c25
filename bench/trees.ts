/**
 * `npm run bench:trees`: cinerank's tree engine against XGBoost and scikit-learn on the same
 * rows, in the same run.
 *
 *   1. A seeded synthetic binary table (trees-data.ts: 47 float features, interactions, NaNs,
 *      label noise) of TRAIN + VALID rows is written once to bench/.cache, which both sides read.
 *   2. cinerank GBDT (100 trees, depth 6, learning rate 0.1, 256 bins, all cores) vs XGBoost
 *      `hist` with the same settings (nthread = cores), on TRAIN rows (default 1,000,000).
 *   3. cinerank random forest (100 trees, depth 20, sqrt features) vs scikit-learn's
 *      RandomForestClassifier(n_estimators=100, n_jobs=cores) on the first RF rows (200,000).
 *   Every fit runs in its own process (peak RSS is that fit's own); all are scored on the same
 *   VALID rows (default 200,000). Targets: GBDT fit <= XGBoost's with AUC within 0.002; RF >= 5x
 *   faster than scikit-learn with AUC within 0.005; predicting 200,000 rows < 1 s.
 *
 * Options: --rows N (train rows, default 1000000), --valid N (default 200000 or rows/5),
 * --rf-rows N (default min(rows, 200000)), --trees N (100), --threads N (cores), --json,
 * --skip-python (cinerank only), --only gbdt|rf.
 * The Debian packages python3-xgboost and python3-sklearn are installed when missing (as root).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cachedBenchTable } from "./trees-data.js";
import { benchArgs } from "./bench-args.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const cache = join(root, "bench", ".cache");

interface Args {
  rows: number;
  valid: number;
  rfRows: number;
  trees: number;
  threads: number;
  json: boolean;
  python: boolean;
  only: "gbdt" | "rf" | null;
}

function parseArgs(argv: string[]): Args {
  const { get, int: num } = benchArgs(argv);
  const rows = num("--rows", 1_000_000);
  const only = get("--only");
  if (only !== undefined && only !== "gbdt" && only !== "rf")
    throw new Error(`--only expects gbdt or rf`);
  return {
    rows,
    valid: num("--valid", Math.min(200_000, Math.max(1000, Math.floor(rows / 5)))),
    rfRows: num("--rf-rows", Math.min(rows, 200_000)),
    trees: num("--trees", 100),
    threads: num("--threads", availableParallelism()),
    json: argv.includes("--json"),
    python: !argv.includes("--skip-python"),
    only: (only as "gbdt" | "rf" | undefined) ?? null,
  };
}

/** The interpreter that sees Debian's python3-* packages. */
function python(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

function ensurePythonPackages(log: (s: string) => void): boolean {
  const probe = () =>
    spawnSync(python(), ["-c", "import xgboost, sklearn, numpy"], { stdio: "ignore" }).status === 0;
  if (probe()) return true;
  log("installing python3-xgboost python3-sklearn (apt-get) ...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env });
  spawnSync(
    "apt-get",
    ["install", "-y", "-qq", "python3-xgboost", "python3-sklearn", "python3-numpy"],
    {
      stdio: "ignore",
      env,
    },
  );
  return probe();
}

type Result = Record<string, number | string | null>;

function runJson(cmd: string, args: string[]): Result {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as Result;
}

function uptime(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(", ");
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const log = (s: string): void => {
    if (!a.json) console.log(s);
  };
  const total = a.rows + a.valid;
  const file = join(cache, `trees-${a.rows}+${a.valid}-seed1.bin`);
  log(
    `bench:trees  train ${a.rows}  valid ${a.valid}  rf rows ${a.rfRows}  trees ${a.trees}  threads ${a.threads}`,
  );
  cachedBenchTable(file, total, 1);
  const py = a.python && ensurePythonPackages(log);
  if (a.python && !py) log("python3-xgboost / python3-sklearn unavailable: competitors skipped");
  const loadBefore = uptime();
  const runner = join(root, "dist", "bench", "trees-run.js");
  const competitor = join(root, "bench", "trees_competitors.py");
  const results: Record<string, Result> = {};
  const step = (name: string, f: () => Result): void => {
    log(`  running ${name} ...`);
    const before = loadavg()[0];
    const r = f();
    // the 1-minute load average around this fit, so wall seconds under load can be read
    results[name] = { ...r, load_1m_before: before, load_1m_after: loadavg()[0] };
  };
  const validFor = (train: number): string[] => [file, String(train), String(a.valid)];
  // train rows are the file's first rows; validation rows always start at a.rows
  const rfArgs = (train: number): string[] => [
    file,
    String(train),
    String(a.valid),
    String(a.threads),
  ];
  if (a.only !== "rf") {
    step("cinerank gbdt", () =>
      runJson(process.execPath, [
        runner,
        "gbdt",
        ...validFor(a.rows),
        String(a.threads),
        String(a.trees),
      ]),
    );
    if (py) {
      step("xgboost hist", () =>
        runJson(python(), [
          competitor,
          "xgboost",
          ...validFor(a.rows),
          String(a.threads),
          String(a.trees),
        ]),
      );
    }
  }
  if (a.only !== "gbdt") {
    step("cinerank rf", () =>
      runJson(process.execPath, [
        runner,
        "rf",
        ...rfArgs(a.rfRows),
        String(a.trees),
        String(a.rows),
      ]),
    );
    if (py) {
      step("sklearn rf", () =>
        runJson(python(), [
          competitor,
          "sklearn-rf",
          ...rfArgs(a.rfRows),
          String(a.trees),
          String(a.rows),
        ]),
      );
    }
  }
  const loadAfter = uptime();
  const ratio = (x: string, y: string, k: string): number | null => {
    const p = results[x]?.[k];
    const q = results[y]?.[k];
    return typeof p === "number" && typeof q === "number" ? p / q : null;
  };
  const diff = (x: string, y: string, k: string): number | null => {
    const p = results[x]?.[k];
    const q = results[y]?.[k];
    return typeof p === "number" && typeof q === "number" ? p - q : null;
  };
  const summary = {
    gbdt_fit_ratio: ratio("cinerank gbdt", "xgboost hist", "fit_seconds"),
    gbdt_fit_cpu_ratio: ratio("cinerank gbdt", "xgboost hist", "fit_cpu_seconds"),
    gbdt_auc_diff: diff("cinerank gbdt", "xgboost hist", "valid_auc"),
    rf_speedup_vs_sklearn: ratio("sklearn rf", "cinerank rf", "fit_seconds"),
    rf_cpu_speedup_vs_sklearn: ratio("sklearn rf", "cinerank rf", "fit_cpu_seconds"),
    rf_auc_diff: diff("cinerank rf", "sklearn rf", "valid_auc"),
    gbdt_predict_seconds: results["cinerank gbdt"]?.predict_seconds ?? null,
    gbdt_predict_parallel_seconds: results["cinerank gbdt"]?.predict_parallel_seconds ?? null,
    rf_predict_seconds: results["cinerank rf"]?.predict_seconds ?? null,
    rf_predict_parallel_seconds: results["cinerank rf"]?.predict_parallel_seconds ?? null,
  };
  const out = {
    rows: a.rows,
    valid: a.valid,
    rfRows: a.rfRows,
    trees: a.trees,
    threads: a.threads,
    cores: availableParallelism(),
    loadavg_before: loadBefore,
    loadavg_after: loadAfter,
    node: process.version,
    results,
    summary,
  };
  if (a.json) {
    console.log(JSON.stringify(out));
    return;
  }
  const f = (v: unknown, d = 2): string => (typeof v === "number" ? v.toFixed(d) : "-");
  console.log("");
  console.log(
    "| model | train rows | fit s | fit CPU s | load (1 min) | valid AUC | predict s (1 thread / all, first call / all, next) | peak RSS MB |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [name, r] of Object.entries(results)) {
    const par =
      typeof r.predict_parallel_seconds === "number"
        ? ` / ${f(r.predict_parallel_cold_seconds, 3)} / ${f(r.predict_parallel_seconds, 3)}`
        : "";
    console.log(
      `| ${name} | ${r.train_rows} | ${f(r.fit_seconds)} | ${f(r.fit_cpu_seconds)} | ${f(r.load_1m_before, 1)} -> ${f(r.load_1m_after, 1)} | ${f(r.valid_auc, 4)} | ${f(r.predict_seconds, 3)}${par} | ${f(r.peak_rss_mb, 0)} |`,
    );
  }
  console.log("");
  console.log(
    `GBDT fit time cinerank / XGBoost: ${f(summary.gbdt_fit_ratio)} (target <= 1.00); CPU time ratio ${f(summary.gbdt_fit_cpu_ratio)}`,
  );
  console.log(`GBDT AUC cinerank - XGBoost: ${f(summary.gbdt_auc_diff, 4)} (target within 0.002)`);
  console.log(
    `RF speed-up over scikit-learn: ${f(summary.rf_speedup_vs_sklearn)}x (target >= 5); CPU time ${f(summary.rf_cpu_speedup_vs_sklearn)}x`,
  );
  console.log(`RF AUC cinerank - scikit-learn: ${f(summary.rf_auc_diff, 4)} (target within 0.005)`);
  console.log(
    `GBDT predict ${a.valid} rows: ${f(summary.gbdt_predict_seconds, 3)} s on 1 thread, ${f(summary.gbdt_predict_parallel_seconds, 3)} s on all threads with the pool started (target < 1 s for 200,000)`,
  );
  console.log(
    `RF predict ${a.valid} rows: ${f(summary.rf_predict_seconds, 3)} s on 1 thread, ${f(summary.rf_predict_parallel_seconds, 3)} s on all threads with the pool started`,
  );
  console.log(
    `load average before: ${loadBefore}; after: ${loadAfter} (${availableParallelism()} cores)`,
  );
}

await main();
