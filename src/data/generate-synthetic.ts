/**
 * `cinerank generate`: a synthetic MovieLens release in the ml-20m CSV layout (ratings, movies,
 * tags, links) whose ratings come from a hidden ground truth, so models have real signal:
 *
 *   score(u, m) = mu + b_u + b_m + p_u . q_m + mean_{g in genres(m)} a_u[g] + noise
 *   rating      = score rounded to half stars (whole stars before 2003 and for some users),
 *                 clamped to [0.5, 5]
 *
 * Movie popularity is log-normal (long tail) and popular movies have higher biases; user
 * activity is 20 + a log-normal share, so every user has >= 20 ratings and the total is exact.
 * Timestamps fall in each user's active window and never before a movie's release year. Same
 * seed -> same bytes: every random draw comes from rngFor(seed, stream), users are written in
 * order, and memory stays bounded (per-movie and per-user arrays, one user's rows at a time).
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  CinerankError,
  noProgress,
  type ProgressReporter,
  type Rng,
  rngFor,
} from "../core/index.js";
import { GENRES } from "./genres.js";
import { SYNTHETIC_MARKER } from "./release-files.js";
import { TAG_WORDS, TITLE_ADJECTIVES, TITLE_NOUNS } from "./synthetic-words.js";

export interface GenerateOptions {
  out: string;
  users?: number;
  movies?: number;
  ratings?: number;
  seed?: number;
  onProgress?: ProgressReporter;
}

export interface GenerateResult {
  out: string;
  users: number;
  movies: number;
  ratings: number;
  tags: number;
  seed: number;
}

/** The ml-20m shape. */
export const ML20M_SHAPE = { users: 138493, movies: 27278, ratings: 20000263 };

const K = 8; // latent factors
const MU = 3.5;
const MIN_PER_USER = 20;
const FIRST_TS = Date.UTC(1996, 0, 1) / 1000;
const LAST_TS = Date.UTC(2015, 2, 31) / 1000;
const HALF_STARS_FROM = Date.UTC(2003, 1, 12) / 1000;
const YEAR_S = 365.25 * 86400;
// relative frequency of each GENRES entry (Drama and Comedy dominate, as in MovieLens)
const GENRE_WEIGHTS = [8, 5, 2, 2.5, 14, 5, 4, 18, 3, 0.8, 5, 0.7, 2, 3, 8, 3.5, 8, 2, 1.5];

/**
 * Buffered byte writer: formats integers and ASCII straight into a 1 MB block and flushes it to
 * a file descriptor, so 20M rating lines create no strings (and no garbage to collect).
 */
class ByteSink {
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private n = 0;
  constructor(private readonly fd: number) {}
  private room(k: number): void {
    if (this.n + k > this.buf.length) this.flush();
  }
  /** Non-negative integer. */
  int(v: number): this {
    this.room(24);
    if (v === 0) {
      this.buf[this.n++] = 48;
      return this;
    }
    let digits = 0;
    for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
    let i = this.n + digits;
    this.n = i;
    for (let x = v; x >= 1; x = Math.floor(x / 10)) this.buf[--i] = 48 + (x % 10);
    return this;
  }
  byte(c: number): this {
    this.room(1);
    this.buf[this.n++] = c;
    return this;
  }
  /** Half-star rating as "4.0" / "3.5". */
  stars(r: number): this {
    const twice = Math.round(r * 2);
    this.room(4);
    this.buf[this.n++] = 48 + (twice >> 1);
    this.buf[this.n++] = 46;
    this.buf[this.n++] = twice & 1 ? 53 : 48;
    return this;
  }
  text(s: string): this {
    const max = Buffer.byteLength(s);
    if (max > this.buf.length) {
      this.flush();
      writeSync(this.fd, s);
      return this;
    }
    this.room(max);
    this.n += this.buf.write(s, this.n);
    return this;
  }
  flush(): void {
    if (this.n > 0) writeSync(this.fd, this.buf, 0, this.n);
    this.n = 0;
  }
}

/** Vose alias table: O(1) draws from a discrete distribution. */
class AliasTable {
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

function csvField(s: string): string {
  return /[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
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

function checkShape(users: number, movies: number, ratings: number, seed: number): void {
  const bad = (msg: string) => {
    throw new CinerankError("ERR_INVALID_ARGUMENT", msg);
  };
  for (const [name, v] of [
    ["--users", users],
    ["--movies", movies],
    ["--ratings", ratings],
    ["--seed", seed],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) bad(`${name} must be a non-negative integer, got ${v}`);
  }
  if (users < 1) bad("--users must be >= 1");
  if (movies < 2 * MIN_PER_USER)
    bad(
      `--movies must be >= ${2 * MIN_PER_USER} (every user rates >= ${MIN_PER_USER} distinct movies)`,
    );
  if (ratings < MIN_PER_USER * users)
    bad(
      `--ratings must be >= ${MIN_PER_USER} x --users = ${MIN_PER_USER * users} (every user has >= ${MIN_PER_USER} ratings)`,
    );
  if (ratings > users * Math.floor(movies / 2))
    bad(
      `--ratings must be <= --users x (--movies / 2) = ${users * Math.floor(movies / 2)} (a user rates at most half the movies)`,
    );
}

/** Ratings per user: 20 + a log-normal share of the rest, capped, summing exactly to `total`. */
function userActivity(rng: Rng, users: number, total: number, cap: number): Int32Array {
  const w = new Float64Array(users);
  let sum = 0;
  for (let u = 0; u < users; u++) sum += w[u] = Math.exp(1.3 * rng.normal());
  const extra = total - MIN_PER_USER * users;
  const n = new Int32Array(users);
  let cum = 0;
  let given = 0;
  let overflow = 0;
  for (let u = 0; u < users; u++) {
    cum += w[u];
    const upto = Math.round((cum / sum) * extra);
    let k = MIN_PER_USER + upto - given;
    given = upto;
    if (k > cap) {
      overflow += k - cap;
      k = cap;
    }
    n[u] = k;
  }
  for (let u = 0; overflow > 0 && u < users; u++) {
    const add = Math.min(cap - n[u], overflow);
    n[u] += add;
    overflow -= add;
  }
  return n;
}

export async function generateSynthetic(opts: GenerateOptions): Promise<GenerateResult> {
  const U = opts.users ?? ML20M_SHAPE.users;
  const M = opts.movies ?? ML20M_SHAPE.movies;
  const R = opts.ratings ?? ML20M_SHAPE.ratings;
  const seed = opts.seed ?? 42;
  checkShape(U, M, R, seed);
  const onProgress = opts.onProgress ?? noProgress;
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });

  // ---- movies: ids, years, genres, popularity, biases, factors
  const mr = rngFor(seed, 1);
  const movieId = new Int32Array(M);
  const year = new Int32Array(M);
  const genreStart = new Int32Array(M + 1);
  const genreList: number[] = [];
  const logPop = new Float64Array(M);
  const bias = new Float32Array(M);
  const q = new Float32Array(M * K);
  const genreTable = new AliasTable(Float64Array.from(GENRE_WEIGHTS));
  let id = 0;
  for (let m = 0; m < M; m++) {
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
    for (let k = 0; k < K; k++) q[m * K + k] = 0.4 * mr.normal();
  }
  genreStart[M] = genreList.length;
  const genres = Int32Array.from(genreList);
  const releasedTs = Float64Array.from(year, (y) => Date.UTC(y, 0, 1) / 1000);
  const popularity = new AliasTable(Float64Array.from(logPop, (x) => Math.exp(x)));

  const files = ["ratings.csv", "movies.csv", "tags.csv", "links.csv"];
  const tmp = (f: string) => join(out, `.${f}.${process.pid}.tmp`);
  const fds = new Map(files.map((f) => [f, openSync(tmp(f), "w")]));
  const sink = (f: string) => new ByteSink(fds.get(f)!);
  let tagCount = 0;
  try {
    const movies = sink("movies.csv");
    const links = sink("links.csv");
    const tr = rngFor(seed, 2);
    movies.text("movieId,title,genres\n");
    links.text("movieId,imdbId,tmdbId\n");
    for (let m = 0; m < M; m++) {
      const names: string[] = [];
      for (let j = genreStart[m]; j < genreStart[m + 1]; j++) names.push(GENRES[genres[j]]);
      movies.text(`${movieId[m]},${csvField(title(tr, year[m]))},${names.join("|")}\n`);
      const imdb = String(100000 + tr.int(9000000)).padStart(7, "0");
      links.text(`${movieId[m]},${imdb},${tr.next() < 0.01 ? "" : 1 + tr.int(400000)}\n`);
    }
    movies.flush();
    links.flush();

    // ---- users, one at a time
    const ratings = sink("ratings.csv");
    const tags = sink("tags.csv");
    ratings.text("userId,movieId,rating,timestamp\n");
    tags.text("userId,movieId,tag,timestamp\n");
    const counts = userActivity(rngFor(seed, 3), U, R, Math.floor(M / 2));
    const taken = new Uint8Array(M);
    const chosen = new Int32Array(Math.floor(M / 2));
    const p = new Float32Array(K);
    const aff = new Float32Array(GENRES.length);
    let written = 0;
    for (let u = 0; u < U; u++) {
      const ur = rngFor(seed, 1000 + u);
      const n = counts[u];
      const bu = 0.35 * ur.normal();
      for (let k = 0; k < K; k++) p[k] = 0.4 * ur.normal();
      for (let g = 0; g < aff.length; g++) aff[g] = 0.3 * ur.normal();
      const start = FIRST_TS + ur.next() * (LAST_TS - FIRST_TS - 86400);
      const end = Math.min(LAST_TS, start + 86400 + YEAR_S * 1.5 * -Math.log(1 - ur.next()));
      const endYear = new Date(end * 1000).getUTCFullYear();
      const halfStarUser = ur.next() < 0.75;
      const tagger = ur.next() < 0.05;
      // distinct movies by popularity; movies released after the user's window are redrawn
      for (let i = 0; i < n; i++) {
        let m = -1;
        for (let t = 0; t < 64; t++) {
          const c = popularity.draw(ur);
          if (!taken[c] && (year[c] <= endYear || t > 16)) {
            m = c;
            break;
          }
        }
        if (m < 0) {
          m = ur.int(M);
          while (taken[m]) m = (m + 1) % M;
        }
        taken[m] = 1;
        chosen[i] = m;
      }
      const mine = chosen.subarray(0, n).sort();
      for (let i = 0; i < n; i++) {
        const m = mine[i];
        taken[m] = 0;
        let s = MU + bu + bias[m];
        for (let k = 0; k < K; k++) s += p[k] * q[m * K + k];
        const g0 = genreStart[m];
        const g1 = genreStart[m + 1];
        if (g1 > g0) {
          let a = 0;
          for (let j = g0; j < g1; j++) a += aff[genres[j]];
          s += a / (g1 - g0);
        }
        s += 0.6 * ur.normal();
        // a heavier low tail (disliked movies), as in MovieLens' histogram
        if (ur.next() < 0.1) s -= Math.abs(1.5 * ur.normal());
        const released = releasedTs[m];
        const lo = Math.max(start, released);
        const ts = Math.floor(
          lo < end ? lo + ur.next() * (end - lo) : released + ur.next() * 30 * 86400,
        );
        const half = halfStarUser && ts >= HALF_STARS_FROM;
        let r = half ? Math.round(s * 2) / 2 : Math.round(s);
        r = Math.min(5, Math.max(half ? 0.5 : 1, r));
        ratings
          .int(u + 1)
          .byte(44)
          .int(movieId[m])
          .byte(44)
          .stars(r)
          .byte(44)
          .int(ts)
          .byte(10);
        if (tagger && ur.next() < 0.3) {
          const nt = 1 + ur.int(3);
          for (let t = 0; t < nt; t++) {
            tags
              .int(u + 1)
              .byte(44)
              .int(movieId[m])
              .byte(44)
              .text(csvField(pick(ur, TAG_WORDS)))
              .byte(44)
              .int(ts + 1 + t)
              .byte(10);
            tagCount++;
          }
        }
      }
      written += n;
      if ((u & 1023) === 0 || u === U - 1) {
        onProgress({ stage: "generate ratings", done: written, total: R, unit: "rows" });
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    ratings.flush();
    tags.flush();
  } catch (e) {
    for (const fd of fds.values()) closeSync(fd);
    for (const f of files) rmSync(tmp(f), { force: true });
    throw e;
  }
  for (const fd of fds.values()) closeSync(fd);
  // files appear under their final names only when all are complete; the marker comes last
  rmSync(join(out, SYNTHETIC_MARKER), { force: true });
  for (const f of files) renameSync(tmp(f), join(out, f));
  const result: GenerateResult = { out, users: U, movies: M, ratings: R, tags: tagCount, seed };
  const markerTmp = tmp(SYNTHETIC_MARKER);
  const fd = openSync(markerTmp, "w");
  writeSync(
    fd,
    `${JSON.stringify({ generator: "cinerank generate", seed, users: U, movies: M, ratings: R, tags: tagCount }, null, 2)}\n`,
  );
  closeSync(fd);
  renameSync(markerTmp, join(out, SYNTHETIC_MARKER));
  return result;
}
