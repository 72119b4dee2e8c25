/**
 * The store-backed RatingLog: ratings given at run time go to the DuckDB store's
 * `ratings_added(user, movie, rating, timestamp, added_at)` table (data/store-schema.ts). The
 * loader appends that table after the release's ratings on every load, so a restarted server
 * and the next `cinerank train` both see them, and a rebuilt store carries them over.
 *
 * DuckDB allows one writing process per file, and readers in other processes (a `cinerank
 * train`) cannot open it while a writer holds it. So the log holds no connection: each append
 * opens the store read-write, inserts in one transaction and closes it again (~10 ms).
 */
import { CinerankError } from "../core/index.js";
import { openStore } from "../data/index.js";
import type { LoggedRating, RatingLog } from "./rating-log.js";

export class StoreRatingLog implements RatingLog {
  constructor(readonly storePath: string) {}

  async append(rows: readonly LoggedRating[]): Promise<void> {
    if (rows.length === 0) return;
    for (const r of rows) {
      // Everything below is interpolated as numbers: refuse anything that is not one.
      if (![r.userId, r.movieId, r.rating, r.timestamp].every(Number.isFinite)) {
        throw new CinerankError("ERR_INVALID_ARGUMENT", "rating rows must be finite numbers", {
          row: r,
        });
      }
    }
    let store: Awaited<ReturnType<typeof openStore>>;
    try {
      store = await openStore(this.storePath, { readOnly: false });
    } catch (e) {
      throw new CinerankError(
        "ERR_STORE_BUSY",
        `${this.storePath}: cannot open the store for writing (${(e as Error).message}); another cinerank process may be using it — retry`,
        { store: this.storePath },
      );
    }
    try {
      const now = Math.floor(Date.now() / 1000);
      const values = rows
        .map(
          (r) =>
            `(${Math.trunc(r.userId)}, ${Math.trunc(r.movieId)}, ${r.rating}, ${Math.trunc(r.timestamp)}, ${now})`,
        )
        .join(", ");
      await store.conn.run("BEGIN TRANSACTION");
      try {
        await store.conn.run(
          `INSERT INTO ratings_added (user, movie, rating, timestamp, added_at) VALUES ${values}`,
        );
        await store.conn.run("COMMIT");
      } catch (e) {
        await store.conn.run("ROLLBACK");
        throw e;
      }
      await store.conn.run("CHECKPOINT");
    } finally {
      store.close();
    }
  }

  /** Every stored added rating with the time it was added (unix seconds). */
  async added(): Promise<(LoggedRating & { addedAt: number })[]> {
    const store = await openStore(this.storePath, { readOnly: true });
    try {
      const rows = (
        await store.conn.runAndReadAll(
          "SELECT user, movie, rating, CAST(timestamp AS DOUBLE), CAST(added_at AS DOUBLE) FROM ratings_added",
        )
      ).getRowsJS();
      return rows.map((r) => ({
        userId: Number(r[0]),
        movieId: Number(r[1]),
        rating: Number(r[2]),
        timestamp: Number(r[3]),
        addedAt: Number(r[4]),
      }));
    } finally {
      store.close();
    }
  }

  async users(): Promise<number[]> {
    const store = await openStore(this.storePath, { readOnly: true });
    try {
      const rows = (
        await store.conn.runAndReadAll("SELECT DISTINCT user FROM ratings_added")
      ).getRowsJS();
      return rows.map((r) => Number(r[0]));
    } finally {
      store.close();
    }
  }

  async close(): Promise<void> {}
}
