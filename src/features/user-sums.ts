/**
 * Raw per-user sums: the additive statistics every user feature is derived from. A user's
 * profile IS one such row, so a profile can be rebuilt from any list of (movie, rating,
 * timestamp) — or updated by one more rating — without refitting anything (live updates).
 * Out-of-fold rows are the same sums over the other folds' ratings.
 *
 *   row (stride userSumsStride(G, K)), all float64:
 *   [count, sum, sumsq, likes, minTs, maxTs, hours[24], genreCount[G], genreSum[G],
 *    contentRE[K] = Σ rating·e_movie, contentE[K] = Σ e_movie]
 */
export const S_COUNT = 0;
export const S_SUM = 1;
export const S_SUMSQ = 2;
export const S_LIKES = 3;
export const S_MIN_TS = 4;
export const S_MAX_TS = 5;
export const S_HOURS = 6;
export const S_GENRE_COUNT = 30;

export function userSumsStride(genres: number, dim: number): number {
  return S_GENRE_COUNT + 2 * genres + 2 * dim;
}

/** Hour of day (UTC, 0..23) of a unix timestamp in seconds. */
export function hourOf(ts: number): number {
  return (((Math.floor(ts / 3600) % 24) + 24) % 24) | 0;
}

/** Day of week (UTC, 0 = Sunday) of a unix timestamp in seconds (1970-01-01 was a Thursday). */
export function weekdayOf(ts: number): number {
  return (((Math.floor(ts / 86400) + 4) % 7) + 7) % 7;
}

/** An empty sums row (min/max timestamps at ±Infinity until the first rating). */
export function emptyUserSums(stride: number, rows = 1): Float64Array {
  const s = new Float64Array(stride * rows);
  for (let r = 0; r < rows; r++) {
    s[r * stride + S_MIN_TS] = Number.POSITIVE_INFINITY;
    s[r * stride + S_MAX_TS] = Number.NEGATIVE_INFINITY;
  }
  return s;
}

/**
 * Add one rating to the sums row at `o`. genreCols = bitmask over genre columns of the movie;
 * emb/eo = the movie's unit content embedding (ignored when dim = 0).
 */
export function addUserRating(
  s: Float64Array,
  o: number,
  genres: number,
  dim: number,
  rating: number,
  ts: number,
  like: number,
  genreCols: number,
  emb: Float32Array,
  eo: number,
): void {
  s[o + S_COUNT] += 1;
  s[o + S_SUM] += rating;
  s[o + S_SUMSQ] += rating * rating;
  s[o + S_LIKES] += like;
  if (ts < s[o + S_MIN_TS]) s[o + S_MIN_TS] = ts;
  if (ts > s[o + S_MAX_TS]) s[o + S_MAX_TS] = ts;
  s[o + S_HOURS + hourOf(ts)] += 1;
  let mask = genreCols;
  const gc = o + S_GENRE_COUNT;
  while (mask !== 0) {
    const j = 31 - Math.clz32(mask & -mask);
    mask &= mask - 1;
    s[gc + j] += 1;
    s[gc + genres + j] += rating;
  }
  if (dim > 0) {
    const re = gc + 2 * genres;
    const e = re + dim;
    for (let j = 0; j < dim; j++) {
      const x = emb[eo + j];
      s[re + j] += rating * x;
      s[e + j] += x;
    }
  }
}

/**
 * out = sum of rows `parts[f]` of `src` for f in the list (min/max for the timestamp fields).
 * Used to form out-of-fold rows (all folds but one) and whole-training rows (all folds).
 */
export function combineUserSums(
  src: Float64Array,
  stride: number,
  offsets: ArrayLike<number>,
  out: Float64Array,
  oo: number,
): void {
  for (let j = 0; j < stride; j++) out[oo + j] = 0;
  out[oo + S_MIN_TS] = Number.POSITIVE_INFINITY;
  out[oo + S_MAX_TS] = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < offsets.length; p++) {
    const so = offsets[p];
    for (let j = 0; j < stride; j++) {
      if (j === S_MIN_TS) {
        if (src[so + j] < out[oo + j]) out[oo + j] = src[so + j];
      } else if (j === S_MAX_TS) {
        if (src[so + j] > out[oo + j]) out[oo + j] = src[so + j];
      } else out[oo + j] += src[so + j];
    }
  }
}

/**
 * out = the whole-training row minus fold `skip`'s row (additive fields), with min/max
 * timestamps over the other folds. Counts and half-star rating sums are exact in float64, so
 * this equals summing the other folds; it costs one fold instead of k - 1.
 */
export function outOfFoldUserSums(
  total: Float64Array,
  to: number,
  folds: Float64Array,
  offsets: ArrayLike<number>,
  skip: number,
  stride: number,
  out: Float64Array,
): void {
  const so = offsets[skip];
  for (let j = 0; j < stride; j++) out[j] = total[to + j] - folds[so + j];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let f = 0; f < offsets.length; f++) {
    if (f === skip) continue;
    const o = offsets[f];
    if (folds[o + S_MIN_TS] < lo) lo = folds[o + S_MIN_TS];
    if (folds[o + S_MAX_TS] > hi) hi = folds[o + S_MAX_TS];
  }
  out[S_MIN_TS] = lo;
  out[S_MAX_TS] = hi;
  // A user with no rating outside the fold has exactly zero count; clear float residue of the
  // embedding sums so the profile is exactly empty.
  if (out[S_COUNT] === 0) for (let j = S_HOURS; j < stride; j++) out[j] = 0;
}
