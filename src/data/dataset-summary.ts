/**
 * The dataset overview `cinerank inspect` shows (and prints as JSON): sizes, rating
 * distribution, like-rate at a threshold, activity per year, top genres, sparsity, activity
 * quantiles, optional files found and the validation report. Pure computation over a Dataset.
 */
import type { Dataset } from "./dataset.js";
import type { ReleaseFiles } from "./release-files.js";
import type { ValidationReport } from "./validation-report.js";

export interface Quantiles {
  min: number;
  p10: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
  max: number;
  mean: number;
}

export interface DatasetSummary {
  release: string;
  layout: string;
  dataDir: string;
  /** Users with at least one rating. */
  users: number;
  /** Users known only from tags or the users file. */
  usersWithoutRatings: number;
  movies: number;
  /** Movies in the movies file that no one rated. */
  moviesWithoutRatings: number;
  ratings: number;
  meanRating: number;
  likeThreshold: number;
  /** Share of ratings >= likeThreshold. */
  likeRate: number;
  /** 1 - ratings / (users x movies). */
  sparsity: number;
  ratingHistogram: { rating: number; count: number }[];
  ratingsPerYear: { year: number; count: number }[];
  /** Genres by number of ratings (a rating counts for each genre of its movie). */
  topGenres: { genre: string; movies: number; ratings: number }[];
  ratingsPerUser: Quantiles;
  ratingsPerMovie: Quantiles;
  tags: number;
  genomeTags: number;
  demographics: boolean;
  files: { found: string[]; missingOptional: string[] };
  validation: ValidationReport;
}

function quantiles(counts: Int32Array): Quantiles {
  const s = Int32Array.from(counts).sort();
  const n = s.length;
  if (n === 0) return { min: 0, p10: 0, p25: 0, median: 0, p75: 0, p90: 0, max: 0, mean: 0 };
  // nearest-rank on the sorted counts
  const q = (p: number) => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  return {
    min: s[0],
    p10: q(0.1),
    p25: q(0.25),
    median: q(0.5),
    p75: q(0.75),
    p90: q(0.9),
    max: s[n - 1],
    mean: sum / n,
  };
}

/** UTC calendar year of Unix seconds (exact, via a table of year starts). */
function yearIndexer(): (ts: number) => number {
  const starts: number[] = [];
  for (let y = 1900; y <= 2200; y++) starts.push(Date.UTC(y, 0, 1) / 1000);
  return (ts) => {
    let y = Math.floor(ts / 31556952) + 1970 - 1900;
    if (y < 0) return 1900;
    if (y >= starts.length) return 2200;
    while (y > 0 && ts < starts[y]) y--;
    while (y + 1 < starts.length && ts >= starts[y + 1]) y++;
    return y + 1900;
  };
}

export function summarizeDataset(
  d: Dataset,
  report: ValidationReport,
  release: ReleaseFiles,
  opts: { likeThreshold?: number; topGenres?: number } = {},
): DatasetSummary {
  const threshold = opts.likeThreshold ?? 3.5;
  const n = d.ratings.rating.length;
  const perUser = new Int32Array(d.users.size);
  const perMovie = new Int32Array(d.movies.size);
  const hist = new Map<number, number>();
  const years = new Map<number, number>();
  const genreRatings = new Float64Array(d.genres.length);
  const yearOf = yearIndexer();
  let sum = 0;
  let likes = 0;
  for (let i = 0; i < n; i++) {
    const r = d.ratings.rating[i];
    sum += r;
    if (r >= threshold) likes++;
    perUser[d.ratings.user[i]]++;
    perMovie[d.ratings.movie[i]]++;
    hist.set(r, (hist.get(r) ?? 0) + 1);
    const y = yearOf(d.ratings.timestamp[i]);
    years.set(y, (years.get(y) ?? 0) + 1);
  }
  const genreMovies = new Int32Array(d.genres.length);
  for (let m = 0; m < d.movies.size; m++) {
    const mask = d.movieInfo.genres[m];
    for (let g = 0; g < d.genres.length; g++) {
      if (mask & (1 << g)) {
        genreMovies[g]++;
        genreRatings[g] += perMovie[m];
      }
    }
  }
  const ratedUsers = perUser.filter((c) => c > 0);
  const ratedMovies = perMovie.filter((c) => c > 0).length;
  const users = ratedUsers.length;
  return {
    release: d.release,
    layout: d.layout,
    dataDir: release.dir,
    users,
    usersWithoutRatings: d.users.size - users,
    movies: d.movies.size,
    moviesWithoutRatings: d.movies.size - ratedMovies,
    ratings: n,
    meanRating: n ? sum / n : 0,
    likeThreshold: threshold,
    likeRate: n ? likes / n : 0,
    sparsity: users && d.movies.size ? 1 - n / (users * d.movies.size) : 1,
    ratingHistogram: [...hist.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([rating, count]) => ({ rating, count })),
    ratingsPerYear: [...years.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([year, count]) => ({ year, count })),
    topGenres: d.genres
      .map((genre, g) => ({ genre, movies: genreMovies[g], ratings: genreRatings[g] }))
      .filter((g) => g.movies > 0)
      .sort((a, b) => b.ratings - a.ratings || a.genre.localeCompare(b.genre))
      .slice(0, opts.topGenres ?? 10),
    ratingsPerUser: quantiles(ratedUsers),
    ratingsPerMovie: quantiles(perMovie),
    tags: d.tags.tag.length,
    genomeTags: d.genome?.tags.length ?? 0,
    demographics: d.demographics !== undefined,
    files: { found: release.files.map((f) => f.name), missingOptional: release.missingOptional },
    validation: report,
  };
}
