/**
 * Opens a data folder's DuckDB store for SQL (feature queries, EDA). Read-only by default, so
 * any number of processes may read one store at once.
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface OpenStore {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  close(): void;
}

export async function openStore(
  path: string,
  opts: { readOnly?: boolean } = {},
): Promise<OpenStore> {
  const readOnly = opts.readOnly ?? true;
  const instance = await DuckDBInstance.create(path, readOnly ? { access_mode: "READ_ONLY" } : {});
  const conn = await instance.connect();
  return {
    instance,
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
