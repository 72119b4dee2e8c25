/**
 * featuresForPairs: the serving side of the pipeline — one user (a training index or a live
 * profile) against many movies, as FeatureMatrix rows. It runs the very functions that built
 * the validation/test rows (finishUser, writeFeatureRow, the scorers, the scaler) on the
 * whole-training state, so a pair gets the same features here as in the test matrix.
 */
import { CinerankError } from "../core/index.js";
import type { FeatureMatrix } from "./feature-matrix.js";
import { movieColumnOffsets, writeFeatureRow, writeMovieColumns } from "./feature-row.js";
import type { FeatureSpec } from "./feature-spec.js";
import type { FeatureState } from "./feature-state.js";
import { applyScaler } from "./scaler.js";
import { slotGlobals } from "./slot-globals.js";
import { finishUser } from "./user-block.js";
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
  const g = slotGlobals(state.globals, 0, L.genres, state.trendingThreshold);
  const ub = new Float32Array(L.userWidth);
  const uv = new Float32Array(L.dim);
  finishUser(L.genres, L.dim, spec.options.genrePrior, g, profile.sums, 0, ub, 0, uv, 0);
  let age = Number.NaN;
  let gender = 0;
  let occupation = -1;
  if (profile.demographics) {
    age = profile.demographics.age;
    const gg = profile.demographics.gender.toUpperCase();
    gender = gg === "F" ? 1 : gg === "M" ? 2 : 0;
    occupation = spec.occupations.indexOf(profile.demographics.occupation);
  } else if (state.demographics && profile.index >= 0) {
    age = state.demographics.age[profile.index];
    gender = state.demographics.gender[profile.index];
    occupation = state.demographics.occupation[profile.index];
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
  const timestamp = new Float64Array(n);
  // One user at one time (serving): every row's movie-free columns equal the first row's, so
  // they are written and scaled once and copied row to row; each row then gets its movie's
  // columns, scaled on their own. Each value is the same as scaling the whole rows afterwards.
  const oneTime = typeof when === "number";
  const mean = Float64Array.from(spec.scaler.mean);
  const inv = Float64Array.from(spec.scaler.std, (x) => 1 / x);
  const movieCols = oneTime ? movieColumnOffsets(L) : null;
  for (let j = 0; j < n; j++) {
    const m = movies[j];
    if (!Number.isInteger(m) || m < 0 || m >= state.nMovies) {
      throw new CinerankError(
        "ERR_UNKNOWN_MOVIE",
        `movie index ${m} is not in the catalogue (0..${state.nMovies - 1})`,
      );
    }
    const ts = typeof when === "number" ? when : when[j];
    timestamp[j] = ts;
    if (j > 0 && movieCols) {
      // all columns before the pair sources' from the row before (scaled), then the movie's
      values.copyWithin(j * cols, (j - 1) * cols, (j - 1) * cols + L.pairStart);
      writeMovieColumns(
        L,
        ub,
        0,
        uv,
        0,
        state.movieBlock,
        m * L.movieWidth,
        state.movieEmbedding,
        m * L.dim,
        ts,
        values,
        j * cols,
      );
      const o = j * cols;
      for (let i = 0; i < movieCols.length; i++) {
        const c = movieCols[i];
        values[o + c] = (values[o + c] - mean[c]) * inv[c];
      }
      continue;
    }
    writeFeatureRow(
      L,
      ub,
      0,
      uv,
      0,
      state.movieBlock,
      m * L.movieWidth,
      state.movieEmbedding,
      m * L.dim,
      ts,
      spec.defaults.user_age ?? 0,
      age,
      gender,
      occupation,
      values,
      j * cols,
    );
    if (movieCols) for (let c = 0; c < L.pairStart; c++) values[c] = (values[c] - mean[c]) * inv[c];
  }
  let offset = L.pairStart;
  for (const name of spec.pairSources) {
    const scorer = state.scorers[name];
    if (!scorer)
      throw new CinerankError(
        "ERR_NOT_FITTED",
        `feature state has no scorer for pair source "${name}"`,
      );
    const pairUser = profile.ratings
      ? {
          index: profile.index,
          ratings: { movie: profile.ratings.movie, rating: profile.ratings.rating },
        }
      : { index: profile.index };
    scorer.scoreUser(pairUser, movies, values, cols, offset);
    offset += scorer.names.length;
  }
  if (movieCols) {
    // the pair sources' columns, written after the rows
    for (let j = 0; j < n; j++) {
      const o = j * cols;
      for (let c = L.pairStart; c < cols; c++) values[o + c] = (values[o + c] - mean[c]) * inv[c];
    }
  } else applyScaler(values, n, cols, spec.scaler);
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
