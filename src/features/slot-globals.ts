/**
 * Global statistics of one aggregation slot (the training ratings of all folds but one, or of
 * the whole training part): the fallbacks for unseen users and movies and the priors that
 * shrink user and movie means.
 *
 *   raw row (stride globalSumsStride(G)): [count, sum, sumsq, likes, hours[24], genreCount[G], genreSum[G]]
 */
export const G_COUNT = 0;
export const G_SUM = 1;
export const G_SUMSQ = 2;
export const G_LIKES = 3;
export const G_HOURS = 4;
export const G_GENRE_COUNT = 28;

export function globalSumsStride(genres: number): number {
  return G_GENRE_COUNT + 2 * genres;
}

export interface SlotGlobals {
  count: number;
  mean: number;
  std: number;
  likeRate: number;
  /** Most common hour of day over all ratings. */
  topHour: number;
  /** Share of all ratings that fall in each genre column. */
  genreShare: Float64Array;
  /** Movies with at least this many ratings in the trending window are trending (>= 1). */
  trendingThreshold: number;
}

/** Derive the slot's globals from its raw sums. Falls back to 3.0 / like-rate 0.5 when empty. */
export function slotGlobals(
  raw: Float64Array,
  o: number,
  genres: number,
  trendingThreshold: number,
): SlotGlobals {
  const c = raw[o + G_COUNT];
  const mean = c > 0 ? raw[o + G_SUM] / c : 3;
  const std = c > 0 ? Math.sqrt(Math.max(0, raw[o + G_SUMSQ] / c - mean * mean)) : 1;
  let topHour = 0;
  for (let h = 1; h < 24; h++) if (raw[o + G_HOURS + h] > raw[o + G_HOURS + topHour]) topHour = h;
  const genreShare = new Float64Array(genres);
  for (let j = 0; j < genres; j++) genreShare[j] = c > 0 ? raw[o + G_GENRE_COUNT + j] / c : 0;
  return {
    count: c,
    mean,
    std,
    likeRate: c > 0 ? raw[o + G_LIKES] / c : 0.5,
    topHour,
    genreShare,
    trendingThreshold: Math.max(1, trendingThreshold),
  };
}

/**
 * Top-decile threshold of window counts: the smallest count among the top 10% of movies that
 * have any rating in the window (ties at the threshold are all trending).
 */
export function trendingThreshold(
  recent: Float64Array,
  stride: number,
  o: number,
  n: number,
): number {
  const counts: number[] = [];
  for (let m = 0; m < n; m++) {
    const c = recent[m * stride + o];
    if (c > 0) counts.push(c);
  }
  if (counts.length === 0) return Number.POSITIVE_INFINITY;
  counts.sort((a, b) => b - a);
  return counts[Math.max(0, Math.ceil(counts.length * 0.1) - 1)];
}
