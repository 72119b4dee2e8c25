/**
 * The dataset overview behind GET /api/stats and the web app's Data & EDA page: sizes, mean
 * rating, like-rate, sparsity, rating histogram, ratings per year, per-genre counts and mean
 * ratings, a log-binned ratings-per-user histogram and quantiles. One pass over the ratings.
 */
import type { Dataset } from "../data/index.js";

export interface StatsBin {
  label: string;
  count: number;
}

export interface DatasetStats {
  release: string;
  users: number;
  movies: number;
  ratings: number;
  meanRating: number;
  likeRate: number;
  threshold: number;
  sparsity: number;
  ratingHistogram: StatsBin[];
  ratingsPerYear: StatsBin[];
  genres: { genre: string; movies: number; ratings: number; meanRating: number }[];
  ratingsPerUser: StatsBin[];
  quantiles: { ratingsPerUser: Record<string, number>; ratingsPerMovie: Record<string, number> };
}

const USER_BINS = [1, 20, 50, 100, 200, 500, 1000, 2000, 5000];

function quantiles(counts: Uint32Array): Record<string, number> {
  const v = Array.from(counts)
    .filter((c) => c > 0)
    .sort((a, b) => a - b);
  if (v.length === 0) return { min: 0, p25: 0, p50: 0, p75: 0, p90: 0, p99: 0, max: 0 };
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * (v.length - 1) + 0.5))];
  return {
    min: v[0],
    p25: q(0.25),
    p50: q(0.5),
    p75: q(0.75),
    p90: q(0.9),
    p99: q(0.99),
    max: v[v.length - 1],
  };
}

export function datasetStats(d: Dataset, threshold: number): DatasetStats {
  const r = d.ratings;
  const n = r.rating.length;
  const perUser = new Uint32Array(d.users.size);
  const perMovie = new Uint32Array(d.movies.size);
  const hist = new Map<number, number>();
  const years = new Map<number, number>();
  const gRatings = new Float64Array(d.genres.length);
  const gSum = new Float64Array(d.genres.length);
  let sum = 0;
  let likes = 0;
  for (let i = 0; i < n; i++) {
    const v = r.rating[i];
    perUser[r.user[i]]++;
    perMovie[r.movie[i]]++;
    hist.set(v, (hist.get(v) ?? 0) + 1);
    const y = new Date(r.timestamp[i] * 1000).getUTCFullYear();
    years.set(y, (years.get(y) ?? 0) + 1);
    sum += v;
    if (v >= threshold) likes++;
    const mask = d.movieInfo.genres[r.movie[i]];
    if (mask) {
      for (let g = 0; g < d.genres.length; g++) {
        if (mask & (1 << g)) {
          gRatings[g]++;
          gSum[g] += v;
        }
      }
    }
  }
  const gMovies = new Uint32Array(d.genres.length);
  for (const mask of d.movieInfo.genres) {
    for (let g = 0; g < d.genres.length; g++) if (mask & (1 << g)) gMovies[g]++;
  }
  let ratedUsers = 0;
  const userBins = new Array<number>(USER_BINS.length).fill(0);
  for (const c of perUser) {
    if (c === 0) continue;
    ratedUsers++;
    let b = USER_BINS.length - 1;
    while (b > 0 && c < USER_BINS[b]) b--;
    userBins[b]++;
  }
  const binLabel = (b: number) =>
    b === USER_BINS.length - 1 ? `${USER_BINS[b]}+` : `${USER_BINS[b]}–${USER_BINS[b + 1] - 1}`;
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    release: d.release,
    users: ratedUsers,
    movies: d.movies.size,
    ratings: n,
    meanRating: n > 0 ? round(sum / n) : 0,
    likeRate: n > 0 ? round(likes / n) : 0,
    threshold,
    sparsity: ratedUsers > 0 && d.movies.size > 0 ? 1 - n / (ratedUsers * d.movies.size) : 1,
    ratingHistogram: [...hist.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([v, count]) => ({ label: v.toFixed(1), count })),
    ratingsPerYear: [...years.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([y, count]) => ({ label: String(y), count })),
    genres: d.genres
      .map((genre, g) => ({
        genre,
        movies: gMovies[g],
        ratings: gRatings[g],
        meanRating: gRatings[g] > 0 ? round(gSum[g] / gRatings[g]) : 0,
      }))
      .filter((g) => g.movies > 0)
      .sort((a, b) => b.ratings - a.ratings),
    ratingsPerUser: userBins
      .map((count, b) => ({ label: binLabel(b), count }))
      .filter((b) => b.count > 0),
    quantiles: { ratingsPerUser: quantiles(perUser), ratingsPerMovie: quantiles(perMovie) },
  };
}
