/**
 * featuresForPairs: the serving side of the pipeline — one user (a training index or a live
 * profile) against many movies, as FeatureMatrix rows. It runs the very functions that built
 * the validation/test rows (finishUser, writeFeatureRow, the scorers, the scaler) on the
 * whole-training state, so a pair gets the same features here as in the test matrix. One time
 * for all rows (serving, ranking evaluation) goes through ServingRows, which gives the same
 * values with the movie-free and movie-only work done once; a time per row writes row by row.
 */
import { CinerankError } from "../core/index.js";
import type { FeatureMatrix } from "./feature-matrix.js";
import { writeFeatureRow } from "./feature-row.js";
import type { FeatureSpec } from "./feature-spec.js";
import type { FeatureState } from "./feature-state.js";
import { applyScaler } from "./scaler.js";
import { servingRows } from "./serving-rows.js";
import { userRowInputs, writePairColumns } from "./user-row-inputs.js";
import { type UserProfile, userProfile } from "./user-profile.js";

export function featuresForPairs(
  spec: FeatureSpec,
  state: FeatureState,
  user: number | UserProfile,
  movies: Int32Array,
  /** Time of the (future) rating, unix seconds: one for all rows or one per row. Default now. */
  when: number | Float64Array = Math.floor(Date.now() / 1000),
  /**
   * Write the rows into `into.values` from row `into.row` on (a batch of several users' rows,
   * without a copy); the returned matrix's values are then a view of that region.
   */
  into?: { values: Float32Array; row: number },
): FeatureMatrix {
  const L = spec.layout;
  const profile = typeof user === "number" ? userProfile(spec, state, user) : user;
  const n = movies.length;
  if (typeof when !== "number" && when.length !== n) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `featuresForPairs: ${when.length} timestamps for ${n} movies`,
    );
  }
  const cols = L.cols;
  const values = into
    ? into.values.subarray(into.row * cols, (into.row + n) * cols)
    : new Float32Array(n * cols);
  if (values.length !== n * cols)
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `featuresForPairs: the output buffer has room for ${values.length / cols} of ${n} rows`,
    );
  const timestamp =
    typeof when === "number" ? new Float64Array(n).fill(when) : Float64Array.from(when);
  if (typeof when === "number") servingRows(spec, state).write(profile, movies, when, values);
  else {
    const u = userRowInputs(spec, state, profile);
    for (let j = 0; j < n; j++) {
      const m = movies[j];
      if (!Number.isInteger(m) || m < 0 || m >= state.nMovies) {
        throw new CinerankError(
          "ERR_UNKNOWN_MOVIE",
          `movie index ${m} is not in the catalogue (0..${state.nMovies - 1})`,
        );
      }
      writeFeatureRow(
        L,
        u.ub,
        0,
        u.uv,
        0,
        state.movieBlock,
        m * L.movieWidth,
        state.movieEmbedding,
        m * L.dim,
        when[j],
        spec.defaults.user_age ?? 0,
        u.age,
        u.gender,
        u.occupation,
        values,
        j * cols,
      );
    }
    writePairColumns(spec, state, profile, movies, values, cols);
    applyScaler(values, n, cols, spec.scaler);
  }
  return {
    rows: n,
    cols,
    names: spec.names,
    values,
    labels: new Uint8Array(n),
    ratings: new Float32Array(n).fill(Number.NaN),
    user: new Int32Array(n).fill(profile.index),
    movie: Int32Array.from(movies),
    timestamp,
  };
}
