/**
 * Movie sums (per slot) and finishMovie: movie sums row -> the movie block of a feature row.
 *
 *   movie sums row (stride MOVIE_SUMS_STRIDE): [count, sum, sumsq, likes, windowCount]
 *
 * Defaults for a movie with no ratings in the slot: mean = global mean (the shrinkage does this
 * by itself), std and like-rate of all training ratings, count 0, popularity 0, not trending,
 * movie_unseen = 1. Unknown release years take the catalogue's median year (movie_year_unknown = 1).
 */
import {
  M_COUNT,
  M_GENRE,
  M_LIKE,
  M_MEAN,
  M_POPULARITY,
  M_STD,
  M_TRENDING,
  M_UNSEEN,
  M_YEAR,
  M_YEAR_UNKNOWN,
} from "./feature-spec.js";
import type { SlotGlobals } from "./slot-globals.js";

export const MOVIE_SUMS_STRIDE = 5;
export const MS_COUNT = 0;
export const MS_SUM = 1;
export const MS_SUMSQ = 2;
export const MS_LIKES = 3;
export const MS_WINDOW = 4;

export function finishMovie(
  genres: number,
  moviePrior: number,
  yearDefault: number,
  g: SlotGlobals,
  s: Float64Array,
  so: number,
  year: number,
  genreCols: number,
  block: Float32Array,
  bo: number,
): void {
  const c = s[so + MS_COUNT];
  const seen = c > 0;
  const raw = seen ? s[so + MS_SUM] / c : g.mean;
  const shrunk = (s[so + MS_SUM] + moviePrior * g.mean) / (c + moviePrior);
  block[bo + M_UNSEEN] = seen ? 0 : 1;
  block[bo + M_MEAN] = shrunk;
  block[bo + M_COUNT] = Math.log1p(c);
  block[bo + M_STD] = seen ? Math.sqrt(Math.max(0, s[so + MS_SUMSQ] / c - raw * raw)) : g.std;
  block[bo + M_LIKE] = seen ? s[so + MS_LIKES] / c : g.likeRate;
  block[bo + M_POPULARITY] = Math.log1p(c) * shrunk;
  block[bo + M_TRENDING] = s[so + MS_WINDOW] >= g.trendingThreshold ? 1 : 0;
  const known = Number.isFinite(year);
  block[bo + M_YEAR] = known ? year : yearDefault;
  block[bo + M_YEAR_UNKNOWN] = known ? 0 : 1;
  for (let j = 0; j < genres; j++) block[bo + M_GENRE + j] = (genreCols >>> j) & 1;
}
