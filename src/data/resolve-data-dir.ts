/**
 * Which folder a command reads when given `--data DIR`: DIR itself when it holds a release, else
 * the one release folder inside it (e.g. data/ml-latest-small after `cinerank download`).
 * With several, ml-latest-small is preferred; otherwise the user must choose.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CinerankError } from "../core/index.js";
import { detectRelease } from "./release-files.js";

function holdsRelease(dir: string): boolean {
  try {
    detectRelease(dir);
    return true;
  } catch {
    return false;
  }
}

/** Returns the release folder for `dir`, or null when there is none (so callers can download). */
export function findDataDir(dir: string): string | null {
  const abs = resolve(dir);
  if (!existsSync(abs)) return null;
  if (holdsRelease(abs)) return abs;
  const subs = readdirSync(abs)
    .map((n) => join(abs, n))
    .filter((p) => statSync(p).isDirectory() && holdsRelease(p))
    .sort();
  if (subs.length === 0) return null;
  if (subs.length === 1) return subs[0];
  const small = subs.find((p) => p.endsWith("ml-latest-small"));
  if (small) return small;
  throw new CinerankError(
    "ERR_INVALID_ARGUMENT",
    `${abs} holds several releases (${subs.map((s) => s.slice(abs.length + 1)).join(", ")}); pass one with --data`,
    { dir: abs },
  );
}

/** Like findDataDir, but a folder without any release is an error (via detectRelease's message). */
export function resolveDataDir(dir: string): string {
  const found = findDataDir(dir);
  if (found) return found;
  detectRelease(dir); // throws the precise missing-folder / unknown-layout error
  return resolve(dir);
}
