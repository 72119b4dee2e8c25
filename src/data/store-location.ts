/**
 * Where a data folder's DuckDB store lives. Data folders may be read-only (shared datasets), so
 * by default the store goes to a per-user cache keyed by the folder's absolute path:
 *
 *   $CINERANK_STORE_DIR/<folder name>-<sha256(abs path)[0..12]>.duckdb
 *   (default dir: $XDG_CACHE_HOME/cinerank/stores, else ~/.cache/cinerank/stores)
 *
 * `--store PATH` / `{ store }` overrides it.
 */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";

export function defaultStoreDir(): string {
  if (process.env.CINERANK_STORE_DIR) return resolve(process.env.CINERANK_STORE_DIR);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "cinerank", "stores");
}

export function defaultStorePath(dataDir: string): string {
  const abs = resolve(dataDir);
  const key = createHash("sha256").update(abs).digest("hex").slice(0, 12);
  const name = basename(abs).replace(/[^A-Za-z0-9._-]/g, "_") || "data";
  return join(defaultStoreDir(), `${name}-${key}.duckdb`);
}
