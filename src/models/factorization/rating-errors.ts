/**
 * Rating-prediction errors (EVALUATION.md, "Rating prediction"): RMSE and MAE over the rows
 * whose user and movie the model knows from training; the others are counted, not scored.
 */
export interface RatingPredictor {
  predict(user: number, movie: number): number;
  knowsUser(user: number): boolean;
  knowsMovie(movie: number): boolean;
}

export interface RatingErrors {
  rmse: number;
  mae: number;
  /** Rows scored. */
  n: number;
  /** Rows skipped because the user or movie had no training ratings. */
  skipped: number;
}

export function ratingErrors(
  model: RatingPredictor,
  rows: { user: Int32Array; movie: Int32Array; rating: Float32Array },
): RatingErrors {
  let se = 0;
  let ae = 0;
  let n = 0;
  let skipped = 0;
  for (let i = 0; i < rows.user.length; i++) {
    const u = rows.user[i];
    const m = rows.movie[i];
    if (!model.knowsUser(u) || !model.knowsMovie(m)) {
      skipped++;
      continue;
    }
    const e = model.predict(u, m) - rows.rating[i];
    se += e * e;
    ae += Math.abs(e);
    n++;
  }
  return { rmse: n ? Math.sqrt(se / n) : Number.NaN, mae: n ? ae / n : Number.NaN, n, skipped };
}
