/**
 * Options shared by the commands that serve a trained run (recommend, similar, predict, rate,
 * serve): which run (`--run`, default artifacts/latest), which data folder and store, and the
 * strict parsing of ids and numbers they all take.
 */
import type { Command } from "commander";
import { CinerankError } from "../../core/index.js";
import { type OpenedRecommender, openRecommender } from "../../recommend/index.js";
import { createProgress } from "../progress-bar.js";

export interface RunFlags {
  run: string;
  data?: string;
  store?: string;
  quiet?: boolean;
  json?: boolean;
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option(
      "--run <dir>",
      "run folder, or an artifacts folder whose latest run is used",
      "artifacts",
    )
    .option("--data <dir>", "MovieLens folder (default: the one the run was trained on)")
    .option("--store <path>", "DuckDB store file (default: the data folder's store)")
    .option("--quiet", "no progress output");
}

/** A positive integer id from a flag, or ERR_INVALID_ARGUMENT naming the flag. */
export function parseId(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v.trim() === "" || !Number.isInteger(n) || n < 1) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--${flag}: expected a positive integer id, got "${v ?? ""}"`,
      {
        field: flag,
      },
    );
  }
  return n;
}

export function parseIdList(flag: string, v: string | undefined): number[] {
  const parts = (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (parts.length === 0) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--${flag}: expected one or more ids, comma-separated`,
      { field: flag },
    );
  }
  return parts.map((p) => parseId(flag, p));
}

export function parseIntIn(
  flag: string,
  v: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--${flag}: expected an integer in ${min}..${max}, got "${v}"`,
      {
        field: flag,
      },
    );
  }
  return n;
}

export function parseList(v: string | undefined): string[] | undefined {
  const parts = (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return parts.length > 0 ? parts : undefined;
}

/** Open the run with a progress display on stderr. */
export async function openFromFlags(f: RunFlags): Promise<OpenedRecommender> {
  const progress = createProgress({ quiet: f.quiet || f.json });
  try {
    return await openRecommender({
      run: f.run,
      data: f.data,
      store: f.store,
      onProgress: progress.report,
    });
  } finally {
    progress.stop();
  }
}

/** Print JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
