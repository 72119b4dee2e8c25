/**
 * `cinerank inspect [--data DIR] [--json] [--strict]`: loads a dataset (building its store on
 * first use) and prints the overview users look at first; `--json` prints one JSON object
 * (fields documented in the README).
 */
import type { Command } from "commander";
import { CinerankError } from "../../core/index.js";
import {
  type DatasetSummary,
  describeIssue,
  loadDataset,
  resolveDataDir,
  summarizeDataset,
} from "../../data/index.js";
import { createProgress } from "../progress-bar.js";
import { runCommand } from "../run-command.js";

export interface InspectOptions {
  data?: string;
  json?: boolean;
  strict?: boolean;
  store?: string;
  threshold?: string;
  rebuild?: boolean;
  quiet?: boolean;
}

/** Default data folder of every command: $CINERANK_DATA, else ./data. */
export function defaultDataDir(): string {
  return process.env.CINERANK_DATA || "data";
}

function num(n: number, digits = 0): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatSummary(s: DatasetSummary, storePath: string): string {
  const out: string[] = [];
  const q = (x: DatasetSummary["ratingsPerUser"]) =>
    `min ${x.min}  p10 ${x.p10}  p25 ${x.p25}  median ${x.median}  p75 ${x.p75}  p90 ${x.p90}  max ${num(x.max)}  mean ${num(x.mean, 1)}`;
  out.push(`${s.release} (${s.layout} layout) in ${s.dataDir}`);
  out.push(`  store          ${storePath}`);
  out.push(
    `  users          ${num(s.users)}${s.usersWithoutRatings ? ` (+${num(s.usersWithoutRatings)} without ratings)` : ""}`,
  );
  out.push(
    `  movies         ${num(s.movies)}${s.moviesWithoutRatings ? ` (${num(s.moviesWithoutRatings)} never rated)` : ""}`,
  );
  out.push(`  ratings        ${num(s.ratings)}`);
  out.push(`  mean rating    ${s.meanRating.toFixed(4)}`);
  out.push(`  like-rate      ${s.likeRate.toFixed(4)} (rating >= ${s.likeThreshold})`);
  out.push(`  sparsity       ${(100 * s.sparsity).toFixed(3)}%`);
  out.push(
    `  tags           ${num(s.tags)}${s.genomeTags ? `, genome tags ${num(s.genomeTags)}` : ""}${s.demographics ? ", demographics" : ""}`,
  );
  out.push(`  per user       ${q(s.ratingsPerUser)}`);
  out.push(`  per movie      ${q(s.ratingsPerMovie)}`);
  out.push("rating histogram");
  const maxCount = Math.max(...s.ratingHistogram.map((h) => h.count));
  for (const h of s.ratingHistogram) {
    const bar = "#".repeat(Math.round((40 * h.count) / maxCount));
    out.push(`  ${h.rating.toFixed(1).padStart(4)} ${num(h.count).padStart(12)}  ${bar}`);
  }
  out.push("ratings per year");
  out.push(`  ${s.ratingsPerYear.map((y) => `${y.year}: ${num(y.count)}`).join("  ")}`);
  out.push("top genres (ratings, movies)");
  for (const g of s.topGenres)
    out.push(`  ${g.genre.padEnd(12)} ${num(g.ratings).padStart(12)} ${num(g.movies).padStart(8)}`);
  out.push(
    `files: ${s.files.found.join(", ")}${s.files.missingOptional.length ? `; not present: ${s.files.missingOptional.join(", ")}` : ""}`,
  );
  if (s.validation.ok) out.push("validation: no malformed rows");
  else {
    out.push(`validation: ${num(s.validation.skipped)} rows skipped`);
    for (const i of s.validation.issues) out.push(`  ${describeIssue(i)}`);
  }
  return out.join("\n");
}

export async function inspectAction(opts: InspectOptions): Promise<void> {
  const threshold = opts.threshold === undefined ? 3.5 : Number(opts.threshold);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 5) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--threshold must be a number in [0, 5], got '${opts.threshold}'`,
    );
  }
  const dir = resolveDataDir(opts.data ?? defaultDataDir());
  const progress = createProgress({ quiet: opts.quiet });
  let result: Awaited<ReturnType<typeof loadDataset>>;
  try {
    result = await loadDataset(dir, {
      strict: opts.strict,
      store: opts.store,
      rebuild: opts.rebuild,
      onProgress: progress.report,
    });
  } finally {
    progress.stop();
  }
  const summary = summarizeDataset(result.dataset, result.report, result.release, {
    likeThreshold: threshold,
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...summary, store: result.store })}\n`);
  } else {
    process.stdout.write(`${formatSummary(summary, result.store.path)}\n`);
  }
}

export function addDataOptions(cmd: Command): Command {
  return cmd
    .option(
      "--data <dir>",
      "MovieLens folder (or a folder holding one); default $CINERANK_DATA or ./data",
    )
    .option(
      "--store <path>",
      "DuckDB store file (default: a per-user cache keyed by the data folder)",
    )
    .option("--strict", "fail on malformed rows instead of skipping and reporting them")
    .option("--rebuild", "rebuild the store even when it is current")
    .option("--quiet", "no progress output");
}

export function register(program: Command): void {
  addDataOptions(
    program
      .command("inspect")
      .description("Load a MovieLens dataset and print its overview and validation report"),
  )
    .option("--json", "print one JSON object instead of text")
    .option("--threshold <rating>", "like threshold for the like-rate", "3.5")
    .action(runCommand(inspectAction));
}
