/**
 * The movie side of the synthetic ground truth (`cinerank generate`): ids, release years, 1-4
 * genres, log-normal popularity (an alias table for O(1) draws), biases that grow with
 * popularity, and latent factors. Built deterministically from (seed, movies), so generator
 * workers rebuild the identical model instead of receiving it.
 */
import { type Rng, rngFor } from "../core/index.js";
import type { ByteSink } from "./byte-sink.js";
import { GENRES } from "./genres.js";
import { TITLE_ADJECTIVES, TITLE_NOUNS } from "./synthetic-words.js";

/** Latent factors per user and movie. */
export const LATENT = 8;
// relative frequency of each GENRES entry (Drama and Comedy dominate, as in MovieLens)
const GENRE_WEIGHTS = [8, 5, 2, 2.5, 14, 5, 4, 18, 3, 0.8, 5, 0.7, 2, 3, 8, 3.5, 8, 2, 1.5];

/** Vose alias table: O(1) draws from a discrete distribution. */
export class AliasTable {
  readonly prob: Float64Array;
  readonly alias: Int32Array;
  constructor(weights: Float64Array) {
    const n = weights.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i];
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = Float64Array.from(weights, (w) => (w * n) / sum);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) (scaled[i] < 1 ? small : large).push(i);
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large[large.length - 1];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small.push(large.pop()!);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }
  draw(rng: Rng): number {
    const i = rng.int(this.prob.length);
    return rng.next() < this.prob[i] ? i : this.alias[i];
  }
}

export interface SyntheticMovies {
  count: number;
  movieId: Int32Array;
  year: Int32Array;
  /** Unix seconds of Jan 1 of the release year. */
  releasedTs: Float64Array;
  /** genres[genreStart[m] .. genreStart[m+1]) are movie m's GENRES indices. */
  genreStart: Int32Array;
  genres: Int32Array;
  bias: Float32Array;
  /** Row-major count x LATENT. */
  factors: Float32Array;
  popularity: AliasTable;
}

export function buildSyntheticMovies(seed: number, count: number): SyntheticMovies {
  const mr = rngFor(seed, 1);
  const movieId = new Int32Array(count);
  const year = new Int32Array(count);
  const genreStart = new Int32Array(count + 1);
  const genreList: number[] = [];
  const logPop = new Float64Array(count);
  const bias = new Float32Array(count);
  const factors = new Float32Array(count * LATENT);
  const genreTable = new AliasTable(Float64Array.from(GENRE_WEIGHTS));
  let id = 0;
  for (let m = 0; m < count; m++) {
    id += 1 + (mr.next() < 0.15 ? mr.int(20) : 0);
    movieId[m] = id;
    year[m] = Math.max(1902, 2015 - Math.floor(-18 * Math.log(1 - mr.next())));
    const ng = 1 + (mr.next() < 0.4 ? 0 : mr.next() < 0.55 ? 1 : mr.next() < 0.6 ? 2 : 3);
    genreStart[m] = genreList.length;
    for (let t = 0; t < 12 && genreList.length - genreStart[m] < ng; t++) {
      const g = genreTable.draw(mr);
      let dup = false;
      for (let j = genreStart[m]; j < genreList.length; j++) if (genreList[j] === g) dup = true;
      if (!dup) genreList.push(g);
    }
    logPop[m] = 1.6 * mr.normal();
    bias[m] = 0.35 * mr.normal() + 0.08 * logPop[m];
    for (let k = 0; k < LATENT; k++) factors[m * LATENT + k] = 0.4 * mr.normal();
  }
  genreStart[count] = genreList.length;
  return {
    count,
    movieId,
    year,
    releasedTs: Float64Array.from(year, (y) => Date.UTC(y, 0, 1) / 1000),
    genreStart,
    genres: Int32Array.from(genreList),
    bias,
    factors,
    popularity: new AliasTable(Float64Array.from(logPop, (x) => Math.exp(x))),
  };
}

export function csvField(s: string): string {
  return /[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

function title(rng: Rng, year: number): string {
  const adj = pick(rng, TITLE_ADJECTIVES);
  const noun = pick(rng, TITLE_NOUNS);
  const r = rng.next();
  let t: string;
  if (r < 0.3)
    t = `${adj} ${noun}, The`; // MovieLens moves leading articles to the end
  else if (r < 0.5) t = `${noun} of the ${pick(rng, TITLE_NOUNS)}`;
  else if (r < 0.6) t = `${adj} ${noun} ${2 + rng.int(3)}`;
  else if (r < 0.65)
    t = `${adj} ${noun} (a.k.a. ${pick(rng, TITLE_ADJECTIVES)} ${pick(rng, TITLE_NOUNS)})`;
  else t = `${adj} ${noun}`;
  return `${t} (${year})`;
}

/** movies.csv and links.csv, with headers. */
export function writeMoviesAndLinks(
  model: SyntheticMovies,
  seed: number,
  movies: ByteSink,
  links: ByteSink,
): void {
  const tr = rngFor(seed, 2);
  movies.text("movieId,title,genres\n");
  links.text("movieId,imdbId,tmdbId\n");
  for (let m = 0; m < model.count; m++) {
    const names: string[] = [];
    for (let j = model.genreStart[m]; j < model.genreStart[m + 1]; j++)
      names.push(GENRES[model.genres[j]]);
    movies.text(`${model.movieId[m]},${csvField(title(tr, model.year[m]))},${names.join("|")}\n`);
    const imdb = String(100000 + tr.int(9000000)).padStart(7, "0");
    links.text(`${model.movieId[m]},${imdb},${tr.next() < 0.01 ? "" : 1 + tr.int(400000)}\n`);
  }
  movies.flush();
  links.flush();
}
