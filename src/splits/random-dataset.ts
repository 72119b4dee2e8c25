/**
 * A small seeded synthetic Dataset for tests (splits, features, models): users with a taste
 * bias, movies with a quality bias and genres, half-star ratings that depend on both, and
 * timestamps spread over a few years. Not a benchmark generator (that is `cinerank generate`).
 */
import { rngFor } from "../core/index.js";
import { type Dataset, type DatasetRecords, datasetFromRecords, GENRES } from "../data/index.js";

export interface RandomDatasetOptions {
  users?: number;
  movies?: number;
  /** Mean ratings per user (each user gets 1 + a geometric-ish count around this). */
  perUser?: number;
  seed?: number;
  /** Include ml-1m style demographics. */
  demographics?: boolean;
  /** Tag applications per movie (on average). */
  tagsPerMovie?: number;
}

export function randomDatasetRecords(o: RandomDatasetOptions = {}): DatasetRecords {
  const nUsers = o.users ?? 200;
  const nMovies = o.movies ?? 150;
  const perUser = o.perUser ?? 30;
  const rng = rngFor(o.seed ?? 1, 99);
  const words = ["space", "love", "war", "night", "toy", "story", "dark", "city", "king", "road"];
  const movies: DatasetRecords["movies"] = [];
  const quality: number[] = [];
  for (let m = 0; m < nMovies; m++) {
    const g = new Set<string>();
    const ng = 1 + rng.int(3);
    for (let j = 0; j < ng; j++) g.add(GENRES[rng.int(GENRES.length)]);
    const year = m % 17 === 0 ? null : 1950 + rng.int(60);
    movies.push({
      movieId: 10 + m * 3,
      title: `${words[rng.int(words.length)]} ${words[rng.int(words.length)]} ${m}${year ? ` (${year})` : ""}`,
      year,
      genres: [...g],
    });
    quality.push(rng.normal() * 0.7);
  }
  const ratings: DatasetRecords["ratings"] = [];
  const seen = new Set<number>();
  const t0 = 1_000_000_000;
  for (let u = 0; u < nUsers; u++) {
    const bias = rng.normal() * 0.5;
    const count = Math.min(nMovies, 1 + Math.floor(-Math.log(1 - rng.next()) * perUser));
    seen.clear();
    const tStart = t0 + rng.int(3 * 365 * 86400);
    for (let j = 0; j < count; j++) {
      let m = Math.floor(nMovies * rng.next() ** 1.5);
      while (seen.has(m)) m = (m + 1) % nMovies;
      seen.add(m);
      const raw = 3.4 + bias + quality[m] + rng.normal() * 0.8;
      const rating = Math.min(5, Math.max(0.5, Math.round(raw * 2) / 2));
      ratings.push({
        userId: 1 + u,
        movieId: 10 + m * 3,
        rating,
        timestamp: tStart + rng.int(400 * 86400),
      });
    }
  }
  const tags: NonNullable<DatasetRecords["tags"]> = [];
  const nTags = Math.round((o.tagsPerMovie ?? 0) * nMovies);
  for (let j = 0; j < nTags; j++) {
    const m = rng.int(nMovies);
    tags.push({
      userId: 1 + rng.int(nUsers),
      movieId: 10 + m * 3,
      tag: words[(m + rng.int(2)) % words.length],
      timestamp: t0,
    });
  }
  const occupations = ["artist", "doctor", "student", "writer"];
  const users = o.demographics
    ? Array.from({ length: nUsers }, (_, u) => ({
        userId: 1 + u,
        age: 18 + rng.int(50),
        gender: rng.next() < 0.5 ? "F" : "M",
        occupation: occupations[rng.int(occupations.length)],
        zip: "00000",
      }))
    : undefined;
  return { movies, ratings, tags, users };
}

export function randomDataset(o: RandomDatasetOptions = {}): Dataset {
  return datasetFromRecords(randomDatasetRecords(o));
}
