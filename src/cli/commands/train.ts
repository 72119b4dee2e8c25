/**
 * `cinerank train`: the main job — from a MovieLens folder to compared, tuned models, a run
 * folder and a report. Prints the comparison table (or one JSON object with --json); progress
 * bars go to stderr.
 */
import type { Command } from "commander";
import { TRAIN_DEFAULTS, type TrainResult, trainRun } from "../../artifacts/index.js";
import { CinerankError } from "../../core/index.js";
import { findDataDir } from "../../data/index.js";
import { modelNames } from "../../models/index.js";
import { SPLIT_KINDS, type SplitKind } from "../../splits/index.js";
import { createProgress } from "../progress-bar.js";
import { runCommand } from "../run-command.js";
import { pairSourcesFor, PAIR_SOURCE_NAMES } from "./pair-sources.js";

const TUNE_MODES = ["none", "grid", "random", "both"] as const;

export interface TrainFlags {
  data: string;
  split: string;
  models?: string;
  tune: string;
  trials: string;
  threshold: string;
  seed: string;
  maxTrainRows: string;
  out: string;
  cf: string;
  topN: string;
  rankingUsers: string;
  recCandidates: string;
  config?: string;
  store?: string;
  json?: boolean;
  quiet?: boolean;
}

function int(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--${name}: expected an integer >= ${min}, got "${v}"`,
    );
  return n;
}

function num(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n))
    throw new CinerankError("ERR_INVALID_ARGUMENT", `--${name}: expected a number, got "${v}"`);
  return n;
}

function parseConfigs(v: string | undefined): Record<string, Record<string, unknown>> | undefined {
  if (v === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (e) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--config: expected JSON like '{"gbdt":{"trees":100}}', got ${v} (${(e as Error).message})`,
    );
  }
  if (
    !parsed ||
    typeof parsed !== "object" ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((x) => !x || typeof x !== "object" || Array.isArray(x))
  ) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--config: expected an object of objects keyed by model name, e.g. '{"gbdt":{"trees":100}}'`,
    );
  }
  return parsed as Record<string, Record<string, unknown>>;
}

export function parseTrainFlags(f: TrainFlags) {
  if (!SPLIT_KINDS.includes(f.split as SplitKind))
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--split: expected one of ${SPLIT_KINDS.join(", ")}, got "${f.split}"`,
    );
  if (!(TUNE_MODES as readonly string[]).includes(f.tune))
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--tune: expected one of ${TUNE_MODES.join(", ")}, got "${f.tune}"`,
    );
  const models = f.models
    ? f.models
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  const cf =
    f.cf === "none"
      ? []
      : f.cf
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  for (const c of cf)
    if (!PAIR_SOURCE_NAMES.includes(c))
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `--cf: unknown source "${c}"; expected "none" or a list of ${PAIR_SOURCE_NAMES.join(", ")}`,
      );
  return {
    // a folder holding one release (e.g. ./data with ml-latest-small inside) works too
    data: findDataDir(f.data) ?? f.data,
    split: f.split as SplitKind,
    models,
    tune: f.tune as (typeof TUNE_MODES)[number],
    trials: int("trials", f.trials, 1),
    threshold: num("threshold", f.threshold),
    seed: int("seed", f.seed, 0),
    maxTrainRows: int("max-train-rows", f.maxTrainRows, 0),
    out: f.out,
    cf,
    topN: int("top-n", f.topN, 0),
    rankingUsers: int("ranking-users", f.rankingUsers, 0),
    recCandidates: int("rec-candidates", f.recCandidates, 0),
    configs: parseConfigs(f.config),
    store: f.store,
  };
}

export function printTrainResult(r: TrainResult, json: boolean): void {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ runDir: r.runDir, ...r.metrics }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v))}\n`,
    );
    return;
  }
  const m = r.metrics;
  const d = m.dataset;
  const lines = [
    `dataset: ${d.release} (${d.layout}), ${d.users.toLocaleString("en-US")} users, ${d.movies.toLocaleString("en-US")} movies, ${d.ratings.toLocaleString("en-US")} ratings, like rate ${d.likeRate.toFixed(3)}`,
    ...(m.dataWarnings.length > 0
      ? ["data validation:", ...m.dataWarnings.map((w) => `  - ${w}`)]
      : ["data validation: no issues"]),
    `split: ${m.split.kind} (seed ${m.split.seed}) train ${m.split.counts.train} / val ${m.split.counts.val} / test ${m.split.counts.test}; dropped (user not in train) val ${m.split.counts.droppedVal}, test ${m.split.counts.droppedTest}`,
    "",
    r.markdown.trimEnd(),
    "",
    `chosen model: ${m.chosen.key} (val AUC ${m.chosen.valAuc.toFixed(4)}, test AUC ${m.chosen.testAuc.toFixed(4)}, threshold ${m.chosen.threshold.toFixed(3)})`,
  ];
  const behind = m.baselineCheck.filter((b) => !b.beatsAll);
  if (behind.length > 0)
    lines.push(
      `WARNING: not better than every like-rate baseline on validation AUC: ${behind.map((b) => b.key).join(", ")}`,
    );
  const k10 = (x: typeof m.ranking.model) => x.atK.find((a) => a.k === 10);
  const a = k10(m.ranking.model);
  const p = k10(m.ranking.popularity);
  if (a && p)
    lines.push(
      `ranking @10 (${m.ranking.model.users} test users): NDCG ${a.ndcg.toFixed(4)} vs popularity ${p.ndcg.toFixed(4)}; Recall ${a.recall.toFixed(4)} vs ${p.recall.toFixed(4)}`,
    );
  if (m.sampling.treeTrainRows < m.sampling.trainRows)
    lines.push(
      `tree models trained on a seeded sample of ${m.sampling.treeTrainRows.toLocaleString("en-US")} of ${m.sampling.trainRows.toLocaleString("en-US")} training rows (--max-train-rows)`,
    );
  lines.push(
    `run: ${r.runDir} (report.html, metrics.json, comparison.md/.csv, models/, features/, split.csv${m.options.topN ? ", recommendations.csv" : ""})`,
    `time: ${m.totalSeconds.toFixed(1)} s (${m.timings.map((t) => `${t.stage} ${t.seconds.toFixed(1)}${t.cpuSeconds !== undefined ? `/${t.cpuSeconds.toFixed(1)} cpu` : ""}`).join(", ")})`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function addTrainOptions(cmd: Command): Command {
  return cmd
    .option(
      "--data <dir>",
      "MovieLens folder (any release layout)",
      process.env.CINERANK_DATA ?? "data",
    )
    .option(
      "--split <kind>",
      `train/validation/test split: ${SPLIT_KINDS.join(" | ")}`,
      TRAIN_DEFAULTS.split,
    )
    .option(
      "--models <list>",
      `comma-separated model families (default: all registered: ${modelNames().join(",")})`,
    )
    .option(
      "--tune <mode>",
      "hyperparameter search: none | grid | random | both",
      TRAIN_DEFAULTS.tune,
    )
    .option("--trials <n>", "random-search trials per model", String(TRAIN_DEFAULTS.trials))
    .option("--threshold <rating>", "like = rating >= threshold", String(TRAIN_DEFAULTS.threshold))
    .option(
      "--seed <n>",
      "seed for the split, folds, sampling and models",
      String(TRAIN_DEFAULTS.seed),
    )
    .option(
      "--max-train-rows <n>",
      "seeded sample of training rows for the tree models (gbdt, rf); 0 = all",
      String(TRAIN_DEFAULTS.maxTrainRows),
    )
    .option(
      "--cf <list>",
      `collaborative feature sources: none | ${PAIR_SOURCE_NAMES.join(",")}`,
      PAIR_SOURCE_NAMES.join(",") || "none",
    )
    .option(
      "--top-n <n>",
      "recommendations per user in recommendations.csv (0 = none)",
      String(TRAIN_DEFAULTS.topN),
    )
    .option(
      "--ranking-users <n>",
      "test users sampled (seeded) for ranking metrics; each ranks every movie not rated in training (0 = all)",
      String(TRAIN_DEFAULTS.rankingUsers),
    )
    .option(
      "--rec-candidates <n>",
      "candidate pool of recommendations.csv: the n most-liked training movies (0 = every movie)",
      String(TRAIN_DEFAULTS.recCandidates),
    )
    .option(
      "--out <dir>",
      "artifacts folder (runs go to <out>/<run-id>/, <out>/latest)",
      TRAIN_DEFAULTS.out,
    )
    .option(
      "--config <json>",
      `per-model config overrides (the base of every variant), e.g. '{"gbdt":{"trees":100}}'`,
    )
    .option(
      "--store <path>",
      "DuckDB store file (default: a per-user cache keyed by the data folder)",
    )
    .option("--json", "print one JSON object (the run's metrics) instead of the table")
    .option("--quiet", "no progress output");
}

export async function runTrain(flags: TrainFlags): Promise<TrainResult> {
  const o = parseTrainFlags(flags);
  const progress = createProgress({ quiet: flags.quiet });
  try {
    const r = await trainRun({
      data: o.data,
      split: o.split,
      models: o.models,
      tune: o.tune,
      trials: o.trials,
      threshold: o.threshold,
      seed: o.seed,
      maxTrainRows: o.maxTrainRows,
      out: o.out,
      pairSources: pairSourcesFor(o.cf),
      topN: o.topN,
      rankingUsers: o.rankingUsers,
      recCandidates: o.recCandidates,
      configs: o.configs,
      store: o.store,
      onProgress: progress.report,
      recordOptions: { cf: o.cf },
    });
    progress.stop();
    return r;
  } catch (e) {
    progress.stop();
    throw e;
  }
}

export function register(program: Command): void {
  addTrainOptions(
    program
      .command("train")
      .description(
        "Train, tune and compare like-models; write a run folder with metrics, models and report.html",
      ),
  ).action(
    runCommand(async (flags: TrainFlags) => {
      const r = await runTrain(flags);
      printTrainResult(r, Boolean(flags.json));
    }),
  );
}
