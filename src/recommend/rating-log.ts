/**
 * RatingLog: where ratings given at run time are persisted, so a restart keeps them and the next
 * `cinerank train` includes them. The store-backed log (store-rating-log.ts) appends to the
 * DuckDB store's `ratings_added` table, which the data loader appends after the release's
 * ratings on every load; tests may use the in-memory log.
 */
export interface LoggedRating {
  userId: number;
  movieId: number;
  rating: number;
  /** Unix seconds. */
  timestamp: number;
}

export interface RatingLog {
  /** Persist all rows or none (one transaction). */
  append(rows: readonly LoggedRating[]): Promise<void>;
  /** Users with persisted added ratings (their profiles differ from the fitted models'). */
  users(): Promise<number[]>;
  close(): Promise<void>;
}

export class MemoryRatingLog implements RatingLog {
  readonly rows: LoggedRating[] = [];

  async append(rows: readonly LoggedRating[]): Promise<void> {
    this.rows.push(...rows);
  }

  async users(): Promise<number[]> {
    return [...new Set(this.rows.map((r) => r.userId))];
  }

  async close(): Promise<void> {}
}
