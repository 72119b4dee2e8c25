/**
 * Reading a stored run back: resolve `--run` (a run folder or an artifacts folder's latest),
 * then parse its metrics.json. Used by `cinerank evaluate` and `cinerank report`.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CinerankError } from "../core/index.js";
import { resolveRunDir } from "./run-folder.js";
import type { RunMetrics } from "./run-metrics.js";

export async function readRunMetrics(
  run: string,
): Promise<{ runDir: string; metrics: RunMetrics }> {
  const runDir = await resolveRunDir(run);
  const path = join(runDir, "metrics.json");
  let metrics: RunMetrics;
  try {
    metrics = JSON.parse(await readFile(path, "utf8")) as RunMetrics;
  } catch (e) {
    throw new CinerankError(
      "ERR_RUN_NOT_FOUND",
      `${path}: cannot read the run's metrics (${(e as Error).message})`,
    );
  }
  if (metrics.formatVersion !== 1 || !Array.isArray(metrics.rows)) {
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `${path}: expected metrics formatVersion 1 with a rows array`,
    );
  }
  return { runDir, metrics: restoreNulls(metrics) };
}

/** metrics.json stores NaN as null; turn numeric nulls back into NaN so formatting stays uniform. */
function restoreNulls<T>(v: T): T {
  if (v === null) return Number.NaN as unknown as T;
  if (Array.isArray(v)) return v.map(restoreNulls) as unknown as T;
  if (typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      o[k] = k === "data" && x === null ? null : restoreNulls(x);
    return o as T;
  }
  return v;
}
