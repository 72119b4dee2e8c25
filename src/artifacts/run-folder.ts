/**
 * Versioned run folders: `<out>/<run-id>/`. Every file goes through writeFileAtomic (temp name,
 * then rename), and a run is complete only once its manifest `run.json` exists — it is written
 * last. Only then does `<out>/latest` move to the run (markRunComplete), so a run that fails or
 * is killed part-way leaves a folder without run.json that is never `latest` and never listed.
 *
 *   artifacts/
 *     20261125-223012-3fa9/   run.json (last), metrics.json, comparison.md/.csv, report.html,
 *                             models/*.bin, features/*, split.csv, recommendations.csv
 *     latest -> 20261125-223012-3fa9      (symlink; a text file holding the id where symlinks fail)
 */
import { randomBytes } from "node:crypto";
import { lstat, readFile, readlink, rename, rm, stat, symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CinerankError, tempPathFor, writeFileAtomic } from "../core/index.js";

export const RUN_MANIFEST = "run.json";
export const LATEST = "latest";

export interface RunManifest {
  formatVersion: 1;
  runId: string;
  createdAt: string;
  completedAt: string;
  /** Relative paths of every file of the run (manifest excluded). */
  files: string[];
  /** Free-form summary (chosen model, test AUC...). */
  summary: Record<string, unknown>;
}

/** A sortable, unique run id: UTC time to the second plus 4 random hex digits. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const t = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${t}-${randomBytes(2).toString("hex")}`;
}

export class RunFolder {
  readonly dir: string;
  readonly files: string[] = [];
  readonly createdAt = new Date().toISOString();

  constructor(
    readonly outDir: string,
    readonly runId: string = newRunId(),
  ) {
    this.dir = resolve(outDir, runId);
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }

  async write(rel: string, data: string | Uint8Array): Promise<string> {
    if (rel === RUN_MANIFEST) throw new Error("run.json is written by complete()");
    const p = this.path(rel);
    await writeFileAtomic(p, data);
    if (!this.files.includes(rel)) this.files.push(rel);
    return p;
  }

  writeJson(rel: string, value: unknown): Promise<string> {
    return this.write(rel, `${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** Record a file written by someone else's atomic writer (e.g. a streamed CSV). */
  adopt(rel: string): void {
    if (!this.files.includes(rel)) this.files.push(rel);
  }

  /** Write run.json (the completion marker), then point `latest` at this run. */
  async complete(summary: Record<string, unknown>): Promise<RunManifest> {
    const manifest: RunManifest = {
      formatVersion: 1,
      runId: this.runId,
      createdAt: this.createdAt,
      completedAt: new Date().toISOString(),
      files: [...this.files].sort(),
      summary,
    };
    await writeFileAtomic(
      this.path(RUN_MANIFEST),
      `${JSON.stringify(manifest, jsonReplacer, 2)}\n`,
    );
    await pointLatest(this.outDir, this.runId);
    return manifest;
  }
}

/** JSON that keeps NaN/Infinity visible as null and typed arrays as plain arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** Atomically replace `<out>/latest` with a pointer to `runId`. */
export async function pointLatest(outDir: string, runId: string): Promise<void> {
  const latest = resolve(outDir, LATEST);
  const tmp = tempPathFor(latest);
  try {
    await symlink(runId, tmp, "dir");
    await rename(tmp, latest);
  } catch {
    // Filesystems without symlinks: a small text file holding the id, also written atomically.
    await rm(tmp, { force: true });
    await rm(latest, { force: true, recursive: false }).catch(() => {});
    await writeFileAtomic(latest, `${runId}\n`);
  }
}

async function isCompleteRun(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, RUN_MANIFEST))).isFile();
  } catch {
    return false;
  }
}

/** The run id `<out>/latest` points at, or null. */
export async function readLatest(outDir: string): Promise<string | null> {
  const latest = resolve(outDir, LATEST);
  try {
    const st = await lstat(latest);
    if (st.isSymbolicLink()) return await readlink(latest);
    if (st.isFile()) return (await readFile(latest, "utf8")).trim();
  } catch {
    return null;
  }
  return null;
}

/**
 * Resolve a user-given `--run` (a run folder, or an artifacts folder whose `latest` is used) to a
 * complete run folder; throws ERR_RUN_NOT_FOUND naming what was looked at.
 */
export async function resolveRunDir(path: string): Promise<string> {
  const p = resolve(path);
  if (await isCompleteRun(p)) return p;
  const id = await readLatest(p);
  if (id) {
    const dir = resolve(p, id);
    if (await isCompleteRun(dir)) return dir;
    throw new CinerankError(
      "ERR_RUN_NOT_FOUND",
      `${join(p, LATEST)} points at ${id}, which has no ${RUN_MANIFEST} (incomplete run)`,
    );
  }
  throw new CinerankError(
    "ERR_RUN_NOT_FOUND",
    `${p}: not a complete run folder (no ${RUN_MANIFEST}) and no ${LATEST} pointer in it; run \`cinerank train\` first or pass --run <artifacts/<run-id>>`,
  );
}

export async function readManifest(runDir: string): Promise<RunManifest> {
  try {
    return JSON.parse(await readFile(join(runDir, RUN_MANIFEST), "utf8")) as RunManifest;
  } catch (e) {
    throw new CinerankError(
      "ERR_RUN_NOT_FOUND",
      `${join(runDir, RUN_MANIFEST)}: cannot read the run manifest (${(e as Error).message})`,
    );
  }
}
