/**
 * `cinerank generate --out DIR [--users N] [--movies M] [--ratings R] [--seed S]`: writes a
 * synthetic, learnable dataset in the ml-20m CSV layout (default: the ml-20m shape).
 */
import type { Command } from "commander";
import { CinerankError } from "../../core/index.js";
import { generateSynthetic, ML20M_SHAPE } from "../../data/index.js";
import { createProgress } from "../progress-bar.js";
import { runCommand } from "../run-command.js";

interface GenerateCliOptions {
  out: string;
  users: string;
  movies: string;
  ratings: string;
  seed: string;
  threads?: string;
  quiet?: boolean;
  json?: boolean;
}

function int(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `${name} must be a non-negative integer, got '${v}'`,
    );
  }
  return n;
}

async function generateAction(opts: GenerateCliOptions): Promise<void> {
  const progress = createProgress({ quiet: opts.quiet });
  const t0 = performance.now();
  let result: Awaited<ReturnType<typeof generateSynthetic>>;
  try {
    result = await generateSynthetic({
      out: opts.out,
      users: int("--users", opts.users),
      movies: int("--movies", opts.movies),
      ratings: int("--ratings", opts.ratings),
      seed: int("--seed", opts.seed),
      threads: opts.threads === undefined ? undefined : Math.max(1, int("--threads", opts.threads)),
      onProgress: progress.report,
    });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...result, seconds })}\n`);
  else {
    process.stderr.write(
      `wrote ${result.ratings} ratings of ${result.users} users on ${result.movies} movies (+${result.tags} tags) to ${result.out} in ${seconds.toFixed(1)} s\n`,
    );
  }
}

export function register(program: Command): void {
  program
    .command("generate")
    .description(
      "Write a synthetic MovieLens-like dataset (ml-20m CSV layout) with a hidden learnable ground truth",
    )
    .requiredOption("--out <dir>", "output folder")
    .option("--users <n>", "number of users", String(ML20M_SHAPE.users))
    .option("--movies <n>", "number of movies", String(ML20M_SHAPE.movies))
    .option("--ratings <n>", "number of ratings (>= 20 x users)", String(ML20M_SHAPE.ratings))
    .option("--seed <n>", "random seed (same seed, same bytes)", "42")
    .option(
      "--threads <n>",
      "worker threads writing users (default: cores, at most 8; same bytes for any n)",
    )
    .option("--json", "print the result as JSON on stdout")
    .option("--quiet", "no progress output")
    .action(runCommand(generateAction));
}
