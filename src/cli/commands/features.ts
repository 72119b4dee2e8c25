/**
 * `cinerank features`: split a dataset, build every feature (out-of-fold for training rows), and
 * optionally write the feature table (Parquet or CSV) and the split (CSV). Prints rows per part,
 * the feature count, like-rate per part and the dropped rows (or one JSON object with --json).
 */
import type { Command } from "commander";
import { CinerankError } from "../../core/index.js";
import { loadDataset, resolveDataDir } from "../../data/index.js";
import { buildFeatures, FEATURE_DEFAULTS, writeFeatureTable } from "../../features/index.js";
import {
  likeRate,
  SPLIT_KINDS,
  type SplitKind,
  splitDataset,
  writeSplitCsv,
} from "../../splits/index.js";
import { createProgress } from "../progress-bar.js";
import { runCommand } from "../run-command.js";
import { addDataOptions, defaultDataDir } from "./inspect.js";

export interface FeaturesOptions {
  data?: string;
  store?: string;
  strict?: boolean;
  rebuild?: boolean;
  quiet?: boolean;
  split: string;
  threshold: string;
  seed: string;
  folds: string;
  embeddingDim: string;
  genrePrior: string;
  moviePrior: string;
  out?: string;
  unscaled?: boolean;
  splitOut?: string;
  json?: boolean;
}

function number(flag: string, value: string, check: (x: number) => boolean, want: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || !check(x)) {
    throw new CinerankError("ERR_INVALID_ARGUMENT", `${flag} must be ${want}, got '${value}'`);
  }
  return x;
}

export async function featuresAction(opts: FeaturesOptions): Promise<void> {
  if (!SPLIT_KINDS.includes(opts.split as SplitKind)) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--split must be one of ${SPLIT_KINDS.join(", ")}, got '${opts.split}'`,
    );
  }
  const threshold = number(
    "--threshold",
    opts.threshold,
    (x) => x >= 0 && x <= 5,
    "a rating in [0, 5]",
  );
  const seed = number("--seed", opts.seed, (x) => Number.isInteger(x) && x >= 0, "an integer >= 0");
  const folds = number(
    "--folds",
    opts.folds,
    (x) => Number.isInteger(x) && x >= 2 && x <= 20,
    "an integer in 2..20",
  );
  const embeddingDim = number(
    "--embedding-dim",
    opts.embeddingDim,
    (x) => Number.isInteger(x) && x >= 0 && x <= 256,
    "an integer in 0..256",
  );
  const genrePrior = number("--genre-prior", opts.genrePrior, (x) => x >= 0, "a number >= 0");
  const moviePrior = number("--movie-prior", opts.moviePrior, (x) => x >= 0, "a number >= 0");
  if (opts.out && !/\.(parquet|csv)$/i.test(opts.out)) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--out must name a .parquet or .csv file, got '${opts.out}'`,
    );
  }
  const dir = resolveDataDir(opts.data ?? defaultDataDir());
  const progress = createProgress({ quiet: opts.quiet });
  const t0 = performance.now();
  let summary: Record<string, unknown>;
  try {
    const { dataset } = await loadDataset(dir, {
      strict: opts.strict,
      store: opts.store,
      rebuild: opts.rebuild,
      onProgress: progress.report,
    });
    const tLoad = performance.now();
    const split = splitDataset(dataset, { kind: opts.split as SplitKind, threshold, seed });
    const built = await buildFeatures(dataset, split, {
      folds,
      seed,
      embeddingDim,
      genrePrior,
      moviePrior,
      onProgress: progress.report,
    });
    const tFeatures = performance.now();
    if (opts.out)
      await writeFeatureTable(opts.out, dataset, built.spec, built.matrices, {
        unscaled: opts.unscaled,
        onProgress: progress.report,
      });
    if (opts.splitOut) await writeSplitCsv(opts.splitOut, dataset, split);
    const { train, val, test } = built.matrices;
    summary = {
      release: dataset.release,
      split: split.kind,
      seed,
      threshold,
      folds,
      rows: { train: train.rows, val: val.rows, test: test.rows },
      likeRate: {
        train: likeRate(dataset, split.train, threshold),
        val: likeRate(dataset, split.val, threshold),
        test: likeRate(dataset, split.test, threshold),
      },
      dropped: { val: split.counts.droppedVal, test: split.counts.droppedTest },
      features: built.spec.names.length,
      featureNames: built.spec.names,
      out: opts.out ?? null,
      splitOut: opts.splitOut ?? null,
      seconds: {
        load: (tLoad - t0) / 1000,
        features: (tFeatures - tLoad) / 1000,
        total: (performance.now() - t0) / 1000,
      },
    };
  } finally {
    progress.stop();
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const s = summary as {
    release: string;
    split: string;
    rows: Record<string, number>;
    likeRate: Record<string, number>;
    dropped: Record<string, number>;
    features: number;
    seconds: Record<string, number>;
  };
  const lines = [
    `${s.release}: ${s.split} split (seed ${seed}, like = rating >= ${threshold}), ${folds}-fold out-of-fold aggregates`,
    "part        rows   like-rate",
    ...(["train", "val", "test"] as const).map(
      (p) =>
        `${p.padEnd(5)} ${s.rows[p].toLocaleString("en-US").padStart(12)}   ${s.likeRate[p].toFixed(4)}`,
    ),
    `dropped (user not in train): val ${s.dropped.val.toLocaleString("en-US")}, test ${s.dropped.test.toLocaleString("en-US")}`,
    `features: ${s.features}`,
    `time: load ${s.seconds.load.toFixed(1)} s, features ${s.seconds.features.toFixed(1)} s, total ${s.seconds.total.toFixed(1)} s`,
  ];
  if (opts.out) lines.push(`feature table: ${opts.out}`);
  if (opts.splitOut) lines.push(`split: ${opts.splitOut}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function register(program: Command): void {
  addDataOptions(
    program
      .command("features")
      .description(
        "Split a dataset and build the leakage-free feature table (out-of-fold for training rows)",
      ),
  )
    .option("--split <kind>", `split: ${SPLIT_KINDS.join(" | ")}`, "stratified")
    .option("--threshold <rating>", "like = rating >= threshold", "3.5")
    .option("--seed <n>", "seed of the split, folds and SVD", "42")
    .option(
      "--folds <k>",
      "out-of-fold folds over the training part",
      String(FEATURE_DEFAULTS.folds),
    )
    .option(
      "--embedding-dim <k>",
      "content embedding dimension (0 = no content features)",
      String(FEATURE_DEFAULTS.embeddingDim),
    )
    .option(
      "--genre-prior <w>",
      "prior weight shrinking user genre means to the user mean",
      String(FEATURE_DEFAULTS.genrePrior),
    )
    .option(
      "--movie-prior <w>",
      "prior weight shrinking movie means to the global mean",
      String(FEATURE_DEFAULTS.moviePrior),
    )
    .option("--out <file>", "write the feature table (.parquet or .csv)")
    .option("--unscaled", "write raw feature values instead of standardised ones")
    .option("--split-out <file>", "write the split as CSV (userId,movieId,timestamp,part)")
    .option("--json", "print one JSON object instead of text")
    .action(runCommand(featuresAction));
}
