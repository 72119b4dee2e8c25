/**
 * The report's dataset overview, computed from a Dataset: sizes, like rate, rating histogram,
 * ratings per user / per movie (min, median, mean, max), movies per genre and the date range.
 */
import type { Dataset } from "../../data/index.js";
import type { DatasetOverview, Summary5 } from "../run-metrics.js";

function summary(counts: Uint32Array): Summary5 {
  const nonzero = counts.filter((c) => c > 0).sort();
  const n = nonzero.length;
  if (n === 0) return { min: 0, median: 0, mean: 0, max: 0 };
  let s = 0;
  for (const c of nonzero) s += c;
  const median = n % 2 ? nonzero[(n - 1) / 2] : (nonzero[n / 2 - 1] + nonzero[n / 2]) / 2;
  return { min: nonzero[0], median, mean: s / n, max: nonzero[n - 1] };
}

export function datasetOverview(d: Dataset, threshold: number): DatasetOverview {
  const r = d.ratings;
  const n = r.rating.length;
  const perUser = new Uint32Array(d.users.size);
  const perMovie = new Uint32Array(d.movies.size);
  const hist = new Map<number, number>();
  let likes = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    perUser[r.user[i]]++;
    perMovie[r.movie[i]]++;
    const v = r.rating[i];
    hist.set(v, (hist.get(v) ?? 0) + 1);
    if (v >= threshold) likes++;
    const t = r.timestamp[i];
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const genreCounts = d.genres.map((genre, bit) => {
    let movies = 0;
    for (let m = 0; m < d.movieInfo.genres.length; m++)
      if (d.movieInfo.genres[m] & (1 << bit)) movies++;
    return { genre, movies };
  });
  const iso = (t: number) =>
    Number.isFinite(t) ? new Date(t * 1000).toISOString().slice(0, 10) : "n/a";
  return {
    release: d.release,
    layout: d.layout,
    users: d.users.size,
    movies: d.movies.size,
    ratings: n,
    threshold,
    likeRate: n > 0 ? likes / n : Number.NaN,
    ratingHistogram: [...hist.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([rating, count]) => ({ rating, count })),
    ratingsPerUser: summary(perUser),
    ratingsPerMovie: summary(perMovie),
    genres: genreCounts.filter((g) => g.movies > 0).sort((a, b) => b.movies - a.movies),
    firstRating: iso(first),
    lastRating: iso(last),
  };
}
