/**
 * The canonical in-memory dataset: what every MovieLens layout loads into (through the DuckDB
 * store) and what splits, features and models consume. Columnar typed arrays indexed by dense
 * user/movie indices (see IdMap), so 20M ratings cost ~400 MB and loops stay fast.
 *
 *   ratings.user[i], ratings.movie[i], ratings.rating[i], ratings.timestamp[i]   (i < nRatings)
 *   movies.title[m], movies.year[m] (NaN = unknown), movies.genres[m] (bitmask over GENRES)
 */
import { IdMap } from "../core/index.js";
import { GENRES, genreMask } from "./genres.js";

export type Layout = "csv" | "dat" | "100k";

export interface RatingsColumns {
  /** Dense user index per rating. */
  user: Int32Array;
  /** Dense movie index per rating. */
  movie: Int32Array;
  rating: Float32Array;
  /** Unix seconds. */
  timestamp: Float64Array;
}

export interface MovieColumns {
  title: string[];
  /** Release year parsed from the title; NaN when absent. */
  year: Float32Array;
  /** Bitmask over GENRES. */
  genres: Uint32Array;
  /** IMDb id as in links.csv (digits, no "tt"), or null. Length = movies.size. */
  imdb: (string | null)[];
  /** TMDB id or NaN. */
  tmdb: Float64Array;
}

export interface TagColumns {
  user: Int32Array;
  movie: Int32Array;
  tag: string[];
  timestamp: Float64Array;
}

/** Per-user demographics (ml-100k, ml-1m only). Age in years (ml-1m: the code's lower bound). */
export interface Demographics {
  age: Float32Array;
  /** "M" | "F" | "" (unknown) */
  gender: string[];
  occupation: string[];
  zip: string[];
}

/** Tag genome (ml-20m and later): relevance of each genome tag for each movie that has it. */
export interface Genome {
  tags: string[];
  /** Dense movie indices that have genome scores. */
  movies: Int32Array;
  /** Row-major movies.length x tags.length relevance in [0, 1]. */
  relevance: Float32Array;
}

export interface Dataset {
  /** Release name, e.g. "ml-latest-small", "ml-1m", or "custom" when not recognised by name. */
  release: string;
  layout: Layout;
  /** userId <-> dense user index. */
  users: IdMap;
  /** movieId <-> dense movie index. */
  movies: IdMap;
  /** Genre vocabulary; movies.genres bitmasks index into it. Always GENRES. */
  genres: readonly string[];
  ratings: RatingsColumns;
  movieInfo: MovieColumns;
  tags: TagColumns;
  demographics?: Demographics;
  genome?: Genome;
}

/** Plain-record input for building small datasets by hand (tests, fixtures, examples). */
export interface DatasetRecords {
  release?: string;
  layout?: Layout;
  movies: {
    movieId: number;
    title: string;
    year?: number | null;
    genres: string[];
    imdb?: string | null;
    tmdb?: number | null;
  }[];
  ratings: { userId: number; movieId: number; rating: number; timestamp: number }[];
  tags?: { userId: number; movieId: number; tag: string; timestamp: number }[];
  users?: { userId: number; age: number; gender: string; occupation: string; zip: string }[];
}

/** Build a Dataset from plain records. Ids are mapped in order of first appearance. */
export function datasetFromRecords(rec: DatasetRecords): Dataset {
  const users = new IdMap();
  const movies = new IdMap();
  for (const m of rec.movies) movies.add(m.movieId);
  for (const u of rec.users ?? []) users.add(u.userId);
  for (const r of rec.ratings) users.add(r.userId);
  const n = rec.ratings.length;
  const ratings: RatingsColumns = {
    user: new Int32Array(n),
    movie: new Int32Array(n),
    rating: new Float32Array(n),
    timestamp: new Float64Array(n),
  };
  rec.ratings.forEach((r, i) => {
    ratings.user[i] = users.index(r.userId);
    const m = movies.index(r.movieId);
    if (m < 0) throw new Error(`rating of unknown movie ${r.movieId}`);
    ratings.movie[i] = m;
    ratings.rating[i] = r.rating;
    ratings.timestamp[i] = r.timestamp;
  });
  const nm = movies.size;
  const movieInfo: MovieColumns = {
    title: rec.movies.map((m) => m.title),
    year: Float32Array.from(rec.movies, (m) => m.year ?? Number.NaN),
    genres: Uint32Array.from(rec.movies, (m) => genreMask(m.genres)),
    imdb: rec.movies.map((m) => m.imdb ?? null),
    tmdb: Float64Array.from(rec.movies, (m) => m.tmdb ?? Number.NaN),
  };
  if (movieInfo.title.length !== nm) throw new Error("duplicate movieId in movies");
  const tagRecs = rec.tags ?? [];
  const tags: TagColumns = {
    user: Int32Array.from(tagRecs, (t) => users.add(t.userId)),
    movie: Int32Array.from(tagRecs, (t) => movies.index(t.movieId)),
    tag: tagRecs.map((t) => t.tag),
    timestamp: Float64Array.from(tagRecs, (t) => t.timestamp),
  };
  let demographics: Demographics | undefined;
  if (rec.users) {
    const nu = users.size;
    demographics = {
      age: new Float32Array(nu).fill(Number.NaN),
      gender: new Array<string>(nu).fill(""),
      occupation: new Array<string>(nu).fill(""),
      zip: new Array<string>(nu).fill(""),
    };
    for (const u of rec.users) {
      const i = users.index(u.userId);
      demographics.age[i] = u.age;
      demographics.gender[i] = u.gender;
      demographics.occupation[i] = u.occupation;
      demographics.zip[i] = u.zip;
    }
  }
  return {
    release: rec.release ?? "custom",
    layout: rec.layout ?? "csv",
    users,
    movies,
    genres: GENRES,
    ratings,
    movieInfo,
    tags,
    demographics,
  };
}
