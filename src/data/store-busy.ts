/**
 * DuckDB lets one process hold a database file for writing and then no other process may open
 * it. This turns DuckDB's lock error into ERR_STORE_BUSY with what to do about it.
 */
import { CinerankError } from "../core/index.js";

export function throwIfBusy(e: unknown, path: string): void {
  const message = e instanceof Error ? e.message : String(e);
  if (/lock/i.test(message)) {
    throw new CinerankError(
      "ERR_STORE_BUSY",
      `store ${path} is in use by another process (DuckDB allows one writer at a time); stop that process (e.g. cinerank serve) or pass --store with another path`,
      { path },
    );
  }
}
