/**
 * writeFeatureRow: assembles one (user, movie, time) feature row from a finished user block,
 * a finished movie block and the pair's own inputs. Training, validation, test and serving rows
 * all go through here (pair-source columns are filled afterwards by the scorers).
 *
 *   out[oo ..]: user block | movie block | interaction | demographics | (pair columns, untouched)
 *   interaction = [user_genre_match, movie_age_years, rating_hour, rating_weekday, content_cosine?]
 */
import { type FeatureLayout, M_GENRE, M_YEAR, U_GENRE, U_MEAN } from "./feature-spec.js";
import { hourOf, weekdayOf } from "./user-sums.js";

const SECONDS_PER_YEAR = 365.2425 * 86400;

export function writeFeatureRow(
  L: FeatureLayout,
  ub: Float32Array,
  ubo: number,
  uv: Float32Array,
  uvo: number,
  mb: Float32Array,
  mbo: number,
  mv: Float32Array,
  mvo: number,
  ts: number,
  ageDefault: number,
  age: number,
  gender: number,
  occupation: number,
  out: Float32Array,
  oo: number,
): void {
  writeUserColumns(L, ub, ubo, ts, ageDefault, age, gender, occupation, out, oo);
  writeMovieColumns(L, ub, ubo, uv, uvo, mb, mbo, mv, mvo, ts, out, oo);
}

/**
 * The columns of a row that do not depend on the movie: the user block, rating hour and
 * weekday, demographics. (ServingRows writes them once for one user's rows at one time.)
 */
export function writeUserColumns(
  L: FeatureLayout,
  ub: Float32Array,
  ubo: number,
  ts: number,
  ageDefault: number,
  age: number,
  gender: number,
  occupation: number,
  out: Float32Array,
  oo: number,
): void {
  // Layout fields in locals: this runs once per row (20M times), property loads add up.
  const uw = L.userWidth;
  const us = oo + L.userStart;
  for (let j = 0; j < uw; j++) out[us + j] = ub[ubo + j];
  const io = oo + L.interactionStart;
  out[io + 2] = hourOf(ts);
  out[io + 3] = weekdayOf(ts);
  if (L.demographics) {
    const d = oo + L.demographicsStart;
    out[d] = Number.isFinite(age) ? age : ageDefault;
    out[d + 1] = gender === 1 ? 1 : 0;
    out[d + 2] = gender === 2 ? 1 : 0;
    for (let j = 0; j < L.occupations; j++) out[d + 3 + j] = j === occupation ? 1 : 0;
  }
}

/** The columns that depend on the movie: the movie block, genre match, movie age, content cosine
 * (ServingRows computes the same values for many movies at once). */
function writeMovieColumns(
  L: FeatureLayout,
  ub: Float32Array,
  ubo: number,
  uv: Float32Array,
  uvo: number,
  mb: Float32Array,
  mbo: number,
  mv: Float32Array,
  mvo: number,
  ts: number,
  out: Float32Array,
  oo: number,
): void {
  const mw = L.movieWidth;
  const ms = oo + L.movieStart;
  for (let j = 0; j < mw; j++) out[ms + j] = mb[mbo + j];
  const G = L.genres;
  const mg = mbo + M_GENRE;
  const ug = ubo + U_GENRE;
  let pref = 0;
  let n = 0;
  for (let j = 0; j < G; j++) {
    if (mb[mg + j] !== 0) {
      pref += ub[ug + j];
      n++;
    }
  }
  const io = oo + L.interactionStart;
  // A movie without genres: the user's overall mean stands in for the genre preference.
  out[io] = n > 0 ? pref / n : ub[ubo + U_MEAN];
  out[io + 1] = 1970 + ts / SECONDS_PER_YEAR - mb[mbo + M_YEAR];
  const dim = L.dim;
  if (dim > 0) {
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += uv[uvo + j] * mv[mvo + j];
    out[io + 4] = dot;
  }
}
