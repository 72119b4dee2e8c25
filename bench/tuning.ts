/**
 * `npm run bench:tuning`: where the time of `cinerank train --tune both` goes on ml-latest-small,
 * and how one logistic-regression fit compares with scikit-learn's on the same rows.
 *
 *   1. The train / validation / test feature matrices of ml-latest-small (stratified, seed 42,
 *      --cf mf,knn: what `cinerank train` builds) are built once and cached (tuning-data.ts).
 *   2. lr: the default fit (C = 1, L2) timed --repeats times, plus an elastic-net and a balanced
 *      fit; beside it scikit-learn's LogisticRegression (newton-cholesky, same C, standardised
 *      features, mean-imputed) on the same rows in the same run (skipped with --skip-python).
 *   3. For each family of --models (default lr,rf,gbdt) and each method of --methods (default
 *      grid,random; --trials 10): the same tuneModel call the pipeline makes, with per-trial fit
 *      seconds and the chosen trial's validation AUC; test AUC of the chosen model for reference
 *      (test is never used to choose).
 * Every timing prints wall seconds, process CPU seconds (all threads, workers included) and the
 * 1-minute load average, since this machine is shared.
 *
 * Options: --data DIR (default ../shared/data/ml-latest-small), --models list, --methods list,
 * --trials N, --repeats N (lr fits, default 3), --lr-only, --skip-python, --threads N, --json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  getModel,
  type LogisticRegressionModel,
  logisticRegression,
  Rng,
  rocAuc,
  type TuneMethod,
  tuneModel,
} from "../src/index.js";
import { cachedTuningTables } from "./tuning-data.js";
import { benchArgs } from "./bench-args.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const cache = join(root, "bench", ".cache");

interface Args {
  data: string;
  models: string[];
  methods: TuneMethod[];
  trials: number;
  repeats: number;
  lrOnly: boolean;
  python: boolean;
  threads: number | undefined;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const { get, int } = benchArgs(argv);
  const methods = (get("--methods") ?? "grid,random").split(",");
  for (const m of methods)
    if (m !== "grid" && m !== "random") throw new Error(`--methods: grid or random, got ${m}`);
  const threads = get("--threads");
  return {
    data: resolve(get("--data") ?? join(root, "..", "shared", "data", "ml-latest-small")),
    models: (get("--models") ?? "lr,rf,gbdt").split(","),
    methods: methods as TuneMethod[],
    trials: int("--trials", 10),
    repeats: int("--repeats", 3),
    lrOnly: argv.includes("--lr-only"),
    python: !argv.includes("--skip-python"),
    threads: threads === undefined ? undefined : int("--threads", 2),
    json: argv.includes("--json"),
  };
}

/** Wall and CPU seconds (all threads of this process) of an async call, with the load average. */
async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; wall: number; cpu: number; load: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6, load: loadavg()[0] };
}

const f = (x: number, d = 2) => x.toFixed(d);

/**
 * scikit-learn's LogisticRegression on the same rows: solver "newton-cholesky" (the same Newton
 * method, exact Hessian through BLAS; scikit-learn >= 1.2), features standardised, NaN -> mean.
 */
function sklearnLr(
  train: { values: Float32Array; labels: Uint8Array; rows: number; cols: number },
  C: number,
): { fitSeconds: number; cpuSeconds: number; nIter: number; coef: number[] } | null {
  const py = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  if (spawnSync(py, ["-c", "import sklearn, numpy"], { stdio: "ignore" }).status !== 0) {
    return null;
  }
  mkdirSync(cache, { recursive: true });
  const x = join(cache, "tuning-lr-x.f32");
  const y = join(cache, "tuning-lr-y.u8");
  writeFileSync(x, train.values);
  writeFileSync(y, train.labels);
  const script = `
import json, time, resource, numpy as np
from sklearn.linear_model import LogisticRegression
X = np.fromfile(${JSON.stringify(x)}, dtype=np.float32).reshape(${train.rows}, ${train.cols}).astype(np.float64)
y = np.fromfile(${JSON.stringify(y)}, dtype=np.uint8)
mean = np.nanmean(X, axis=0)
X = np.where(np.isnan(X), mean, X)
sd = X.std(axis=0)
sd[sd <= 1e-12 * np.maximum(1, np.abs(mean))] = 1
X = (X - mean) / sd
c0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
m = LogisticRegression(C=${C}, solver="newton-cholesky", tol=1e-6, max_iter=100).fit(X, y)
t = time.perf_counter() - t0
c1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
print(json.dumps({"fitSeconds": t, "cpuSeconds": cpu, "nIter": int(m.n_iter_[0]), "coef": m.coef_[0].tolist()}))
`;
  const r = spawnSync(py, ["-c", script], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`scikit-learn reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string);
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const log = (s: string) => {
    if (!a.json) console.log(s);
  };
  const { train, val, test } = await cachedTuningTables(a.data, cache, log);
  log(
    `ml-latest-small: ${train.rows} train / ${val.rows} val / ${test.rows} test rows, ${train.cols} features`,
  );
  const out: Record<string, unknown> = { rows: train.rows, cols: train.cols };

  // 2. one logistic-regression fit
  const lrFits: { config: string; wall: number; cpu: number; load: number; iterations: number }[] =
    [];
  const lrRun = async (label: string, partial: Record<string, unknown>) => {
    const cfg = logisticRegression.config(partial);
    const r = await timed(() => logisticRegression.fit(train, cfg, { rng: new Rng(1) }));
    const m = r.value as LogisticRegressionModel;
    lrFits.push({
      config: label,
      wall: r.wall,
      cpu: r.cpu,
      load: r.load,
      iterations: m.iterations,
    });
    const auc = rocAuc(m.predict(val.values, val.rows), val.labels);
    log(
      `lr ${label}: ${f(r.wall, 3)} s wall, ${f(r.cpu, 3)} s CPU, ${m.iterations} Newton steps, val AUC ${f(auc, 4)} (load ${f(r.load)})`,
    );
    return m;
  };
  let lrDefault: LogisticRegressionModel | undefined;
  for (let i = 0; i < a.repeats; i++) lrDefault = await lrRun("C=1 l2", {});
  await lrRun("C=1 elasticnet 0.5", { penalty: "elasticnet", l1Ratio: 0.5 });
  await lrRun("C=0.01 balanced", { C: 0.01, classWeight: "balanced" });
  out.lr = lrFits;
  if (a.python && lrDefault) {
    const sk = sklearnLr(train, 1);
    if (sk === null) log("scikit-learn: not installed (apt-get install python3-sklearn); skipped");
    else {
      let maxDiff = 0;
      lrDefault.coef.forEach((c, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(c - sk.coef[i]));
      });
      const best = Math.min(...lrFits.filter((x) => x.config === "C=1 l2").map((x) => x.wall));
      log(
        `scikit-learn newton-cholesky C=1: ${f(sk.fitSeconds, 3)} s wall, ${f(sk.cpuSeconds, 3)} s CPU, ${sk.nIter} iterations; cinerank / scikit-learn wall ${f(best / sk.fitSeconds)}; max |coef diff| ${maxDiff.toExponential(2)}`,
      );
      out.sklearnLr = { ...sk, coef: undefined, maxCoefDiff: maxDiff };
    }
  }
  if (a.lrOnly) {
    if (a.json) console.log(JSON.stringify(out));
    return;
  }

  // 3. tuning runs
  const tuning: Record<string, unknown>[] = [];
  let totalWall = 0;
  let totalCpu = 0;
  for (const name of a.models) {
    const family = getModel(name);
    if (!family) throw new Error(`unknown model family ${name}`);
    for (const method of a.methods) {
      // CPU seconds per trial (fit + validation scoring): the process's, read at each trial's
      // progress event (trials run one after another)
      const trialCpu: number[] = [];
      let c0 = process.cpuUsage();
      const r = await timed(() =>
        tuneModel({
          family,
          train,
          valid: val,
          method,
          trials: a.trials,
          seed: 42,
          threads: a.threads,
          onProgress: (e) => {
            if (e.done === 0) return;
            const c = process.cpuUsage(c0);
            trialCpu.push((c.user + c.system) / 1e6);
            c0 = process.cpuUsage();
          },
        }),
      );
      const res = r.value;
      const testAuc = rocAuc(res.model.predict(test.values, test.rows), test.labels);
      await res.model.dispose?.();
      totalWall += r.wall;
      totalCpu += r.cpu;
      log(
        `${name} ${method}: ${res.trials.length} trials, ${f(r.wall, 1)} s wall, ${f(r.cpu, 1)} s CPU (load ${f(r.load)}); best trial ${res.best.trial} val AUC ${f(res.best.valAuc, 4)}, test AUC ${f(testAuc, 4)}; params ${JSON.stringify(res.best.params)}`,
      );
      for (const t of res.trials) {
        log(
          `  trial ${t.trial}: fit ${f(t.fitSeconds, 1)} s (trial CPU ${f(trialCpu[t.trial] ?? Number.NaN, 1)} s), val AUC ${f(t.valAuc, 4)}  ${JSON.stringify(t.params, (_k, v) => (typeof v === "number" ? Number(v.toPrecision(3)) : v))}`,
        );
      }
      tuning.push({
        family: name,
        method,
        wall: r.wall,
        cpu: r.cpu,
        load: r.load,
        best: res.best,
        testAuc,
        trials: res.trials.map((t) => ({
          params: t.params,
          valAuc: t.valAuc,
          fitSeconds: t.fitSeconds,
          cpuSeconds: trialCpu[t.trial],
        })),
      });
    }
  }
  log(`tuning total: ${f(totalWall, 1)} s wall, ${f(totalCpu, 1)} s CPU (load ${f(loadavg()[0])})`);
  out.tuning = tuning;
  out.tuningWall = totalWall;
  out.tuningCpu = totalCpu;
  if (a.json) console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
