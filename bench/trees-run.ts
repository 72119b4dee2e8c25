/**
 * One cinerank fit for the trees benchmark, in its own process so that its peak memory is its
 * own: reads the bench table, fits "gbdt" or "rf" on the first TRAIN rows, scores the VALID rows
 * that follow, prints one JSON object (fit / predict seconds, validation ROC AUC, peak RSS).
 *
 *   node dist/bench/trees-run.js gbdt|rf TABLE_FILE TRAIN VALID THREADS TREES [VALID_START]
 *
 * Validation rows start at VALID_START (default TRAIN). With TREES_PROFILE=1 in the environment
 * the gbdt fit is profiled (src/models/trees/fit-profile.ts): the JSON gets a `profile` field and
 * a readable summary goes to stderr.
 */
import { trainForest, trainGbdt } from "../src/models/trees/index.js";
import { emptyProfile, type FitProfile } from "../src/models/trees/fit-profile.js";
import { rocAuc } from "../src/models/trees/synthetic-table.js";
import { readBenchTable } from "./trees-data.js";

const [which, path, trainArg, validArg, threadsArg, treesArg, validStartArg] =
  process.argv.slice(2);
const nTrain = Number(trainArg);
const nValid = Number(validArg);
const threads = Number(threadsArg);
const trees = Number(treesArg);
const v0 = validStartArg === undefined ? nTrain : Number(validStartArg);
const table = readBenchTable(path);
const cols = table.cols;
const train = {
  values: table.values.subarray(0, nTrain * cols),
  rows: nTrain,
  cols,
  labels: table.labels.subarray(0, nTrain),
};
const valid = {
  values: table.values.subarray(v0 * cols, (v0 + nValid) * cols),
  rows: nValid,
  cols,
  labels: table.labels.subarray(v0, v0 + nValid),
};
const profile: FitProfile | undefined =
  process.env.TREES_PROFILE === "1" && which === "gbdt" ? emptyProfile() : undefined;
const rssBefore = process.resourceUsage().maxRSS;
const t0 = performance.now();
const c0 = process.cpuUsage();
const model =
  which === "gbdt"
    ? await trainGbdt(
        train,
        {
          trees,
          maxDepth: 6,
          learningRate: 0.1,
          maxBins: 256,
          lambda: 1,
          minChildWeight: 1,
          earlyStoppingRounds: 0,
        },
        { seed: 1, threads, profile },
      )
    : await trainForest(
        train,
        { trees, maxDepth: 20, maxFeatures: "sqrt", maxBins: 256 },
        { seed: 1, threads },
      );
const fitSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const fitCpuSeconds = (cpu.user + cpu.system) / 1e6;
// predict: one thread, then all threads twice (the first call starts the prediction pool and
// ships the forest to it; the second is what repeated calls cost)
const secondsOf = async (f: () => Promise<Float32Array>): Promise<[number, Float32Array]> => {
  const t = performance.now();
  const out = await f();
  return [(performance.now() - t) / 1000, out];
};
const [predictSeconds, p] = await secondsOf(() =>
  model.predictParallel(valid.values, valid.rows, 1),
);
const [predictColdSeconds, pc] = await secondsOf(() =>
  model.predictParallel(valid.values, valid.rows, threads),
);
const [predictParallelSeconds, pp] = await secondsOf(() =>
  model.predictParallel(valid.values, valid.rows, threads),
);
if (pp.some((v, i) => v !== p[i]) || pc.some((v, i) => v !== p[i]))
  throw new Error("predictParallel differs from predict");
const peak = process.resourceUsage().maxRSS; // KiB
if (profile) printProfile(profile, fitCpuSeconds);
console.log(
  JSON.stringify({
    which: `cinerank-${which}`,
    train_rows: nTrain,
    valid_rows: nValid,
    threads,
    fit_seconds: fitSeconds,
    fit_cpu_seconds: fitCpuSeconds,
    predict_seconds: predictSeconds,
    predict_parallel_seconds: predictParallelSeconds,
    predict_parallel_cold_seconds: predictColdSeconds,
    valid_auc: rocAuc(p, valid.labels),
    peak_rss_mb: peak / 1024,
    peak_rss_over_data_mb: (peak - rssBefore) / 1024,
    nodes: model.forest.nodes,
    model_bytes: model.serialize().length,
    ...(which === "rf" ? { oob_auc: model.info.oobAuc } : {}),
    ...(profile ? { profile } : {}),
  }),
);

function printProfile(p: FitProfile, cpuSeconds: number): void {
  const f = (ms: number): string => (ms / 1000).toFixed(3).padStart(8);
  const lines = [
    `fit ${f(p.fitMs)} s wall, ${cpuSeconds.toFixed(3)} s CPU; setup ${f(p.setupMs)} s; serial (outside pool jobs) ${f(p.serialMs)} s`,
    "job            runs   wall s  main work  main idle  wake s  spread s  solo",
  ];
  for (const [k, s] of Object.entries(p.jobs)) {
    lines.push(
      `${k.padEnd(13)} ${String(s.runs).padStart(5)} ${f(s.wallMs)} ${f(s.mainWorkMs)}   ${f(s.mainIdleMs)} ${f(s.wakeMs)} ${f(s.spreadMs)} ${String(s.soloRuns).padStart(5)}`,
    );
  }
  for (const [k, ms] of Object.entries(p.serial)) lines.push(`serial: ${k.padEnd(30)} ${f(ms)} s`);
  console.error(lines.join("\n"));
}
