/**
 * FeatureSpec: everything needed to rebuild a feature row the same way later — ordered names and
 * kinds, the options the aggregates were built with, the genre / occupation vocabularies, the
 * documented defaults for unseen users and movies, the scaler, and the column layout. It is plain
 * JSON. The learned tables (profiles, movie statistics, embeddings, CF scorers) live in
 * FeatureState.
 *
 * Column layout (groups in this order; a group may be empty):
 *   user block | movie block | interaction | demographics | pair sources (CF)
 */
export type FeatureKind = "numeric" | "binary";

export interface FeatureOptions {
  /** Out-of-fold folds over the training part (default 5). */
  folds?: number;
  /** Seed for folds, TF-IDF SVD and pair sources (default: the split's seed). */
  seed?: number;
  /** Prior weight (in ratings) shrinking a user's genre mean toward the user's mean (default 5). */
  genrePrior?: number;
  /** Prior weight (in ratings) shrinking a movie's mean toward the global mean (default 10). */
  moviePrior?: number;
  /** Content embedding dimension k (default 32); 0 turns content features off. */
  embeddingDim?: number;
  /** Minimum number of training movies a term must occur in (default 1). */
  minDf?: number;
  /** Trending window: the last `trendingWindow` share of the training time span (default 0.1). */
  trendingWindow?: number;
}

export const FEATURE_DEFAULTS = {
  folds: 5,
  genrePrior: 5,
  moviePrior: 10,
  embeddingDim: 32,
  minDf: 1,
  trendingWindow: 0.1,
} as const;

export type ResolvedFeatureOptions = Required<FeatureOptions>;

export const FEATURE_SPEC_VERSION = 1;

export interface FeatureLayout {
  /** Genre columns (count) — genres present in the release, GENRES order. */
  genres: number;
  /** Content embedding dimension (0 = off). */
  dim: number;
  occupations: number;
  demographics: boolean;
  /** First column of each group and its width. */
  userStart: number;
  userWidth: number;
  movieStart: number;
  movieWidth: number;
  interactionStart: number;
  interactionWidth: number;
  demographicsStart: number;
  demographicsWidth: number;
  pairStart: number;
  pairWidth: number;
  cols: number;
}

export interface FeatureSpec {
  version: number;
  names: string[];
  kinds: FeatureKind[];
  /** like = rating >= threshold. */
  threshold: number;
  options: ResolvedFeatureOptions;
  /** Genre of each genre column, and its bit in Dataset movie masks. */
  genres: string[];
  genreBits: number[];
  /** Occupation vocabulary (one-hot columns), empty without demographics. */
  occupations: string[];
  layout: FeatureLayout;
  /** Names of the pair feature sources, in column order. */
  pairSources: string[];
  /** Documented defaults used for unseen users/movies (whole-training values), by feature name. */
  defaults: Record<string, number>;
  /** Standardisation fitted on training rows: x' = (x - mean) / std; binary columns 0 / 1. */
  scaler: { mean: number[]; std: number[] };
  /** Time window start (unix s) of the trending flag, and the training time span. */
  trendingFrom: number;
  trainTimeRange: [number, number];
}

// Offsets inside the user block (then genres preferences, then genre shares).
export const U_UNSEEN = 0;
export const U_MEAN = 1;
export const U_COUNT = 2;
export const U_STD = 3;
export const U_LIKE = 4;
export const U_HOUR = 5;
export const U_SPAN = 6;
export const U_GENRE = 7;
// Offsets inside the movie block (then genre multi-hot).
export const M_UNSEEN = 0;
export const M_MEAN = 1;
export const M_COUNT = 2;
export const M_STD = 3;
export const M_LIKE = 4;
export const M_POPULARITY = 5;
export const M_TRENDING = 6;
export const M_YEAR = 7;
export const M_YEAR_UNKNOWN = 8;
export const M_GENRE = 9;

export function makeLayout(
  genres: number,
  dim: number,
  occupations: number,
  demographics: boolean,
  pair: number,
): FeatureLayout {
  const userWidth = U_GENRE + 2 * genres;
  const movieWidth = M_GENRE + genres;
  const interactionWidth = dim > 0 ? 5 : 4;
  const demographicsWidth = demographics ? 3 + occupations : 0;
  const userStart = 0;
  const movieStart = userStart + userWidth;
  const interactionStart = movieStart + movieWidth;
  const demographicsStart = interactionStart + interactionWidth;
  const pairStart = demographicsStart + demographicsWidth;
  return {
    genres,
    dim,
    occupations,
    demographics,
    userStart,
    userWidth,
    movieStart,
    movieWidth,
    interactionStart,
    interactionWidth,
    demographicsStart,
    demographicsWidth,
    pairStart,
    pairWidth: pair,
    cols: pairStart + pair,
  };
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/** Feature names and kinds in column order. */
export function featureColumns(
  genres: readonly string[],
  dim: number,
  occupations: readonly string[],
  demographics: boolean,
  pairNames: readonly string[],
): { names: string[]; kinds: FeatureKind[] } {
  const names: string[] = [];
  const kinds: FeatureKind[] = [];
  const add = (n: string, k: FeatureKind = "numeric") => {
    names.push(n);
    kinds.push(k);
  };
  add("user_unseen", "binary");
  add("user_mean");
  add("user_count_log");
  add("user_std");
  add("user_like_rate");
  add("user_top_hour");
  add("user_span_days");
  for (const g of genres) add(`user_pref_${slug(g)}`);
  for (const g of genres) add(`user_share_${slug(g)}`);
  add("movie_unseen", "binary");
  add("movie_mean_shrunk");
  add("movie_count_log");
  add("movie_std");
  add("movie_like_rate");
  add("movie_popularity");
  add("movie_trending", "binary");
  add("movie_year");
  add("movie_year_unknown", "binary");
  for (const g of genres) add(`genre_${slug(g)}`, "binary");
  add("user_genre_match");
  add("movie_age_years");
  add("rating_hour");
  add("rating_weekday");
  if (dim > 0) add("content_cosine");
  if (demographics) {
    add("user_age");
    add("user_gender_f", "binary");
    add("user_gender_m", "binary");
    for (const o of occupations) add(`occupation_${slug(o) || "unknown"}`, "binary");
  }
  for (const n of pairNames) add(n);
  return { names, kinds };
}
