/**
 * FeatureMatrix: the dense numeric table the like-models train on and score. Row-major Float32
 * values (NaN = missing), 0/1 labels, and the row ids that tie each row back to a rating.
 *
 *   values[r * cols + c]  = feature c of row r        (r < rows, c < cols)
 *   user[r], movie[r]     = dense indices of the (user, movie) pair of row r
 */
export interface FeatureMatrix {
  rows: number;
  cols: number;
  /** Feature names in column order (same as FeatureSpec's). */
  names: string[];
  values: Float32Array;
  /** 1 = like (rating >= threshold), 0 = not. Empty-valued (all 0) for serving rows. */
  labels: Uint8Array;
  /** Raw rating per row (NaN when unknown, e.g. serving). */
  ratings: Float32Array;
  user: Int32Array;
  movie: Int32Array;
  timestamp: Float64Array;
}

/** A view of selected rows of a matrix (copies). */
export function selectRows(m: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  const n = rows.length;
  const values = new Float32Array(n * m.cols);
  const labels = new Uint8Array(n);
  const ratings = new Float32Array(n);
  const user = new Int32Array(n);
  const movie = new Int32Array(n);
  const timestamp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    values.set(m.values.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
    labels[i] = m.labels[r];
    ratings[i] = m.ratings[r];
    user[i] = m.user[r];
    movie[i] = m.movie[r];
    timestamp[i] = m.timestamp[r];
  }
  return { rows: n, cols: m.cols, names: m.names, values, labels, ratings, user, movie, timestamp };
}
