/**
 * `cinerank generate`: a synthetic MovieLens release in the ml-20m CSV layout (ratings, movies,
 * tags, links) whose ratings come from a hidden ground truth, so models have real signal:
 *
 *   score(u, m) = mu + b_u + b_m + p_u . q_m + mean_{g in genres(m)} a_u[g] + noise
 *   rating      = score rounded to half stars (whole stars before 2003 and for some users),
 *                 clamped to [0.5, 5]
 *
 * Movie popularity is log-normal (long tail) and popular movies have higher biases
 * (synthetic-movies.ts); user activity is 20 + a log-normal share, so every user has >= 20
 * ratings and the total is exact; users are written by worker threads over contiguous user
 * ranges (synthetic-users.ts) whose part files are concatenated in order. Same seed -> same
 * bytes for any number of threads; memory stays bounded (per-movie arrays, one user at a time).
 *
 *   main:    movies.csv, links.csv; counts per user; ranges [0, a) [a, b) [b, U) by ratings
 *   workers: .ratings.csv.<pid>.part<w>, .tags.csv.<pid>.part<w>
 *   main:    header + part 0 + part 1 + ... -> ratings.csv, tags.csv; marker file last
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import {
  CinerankError,
  noProgress,
  type ProgressReporter,
  type Rng,
  rngFor,
} from "../core/index.js";
import { ByteSink } from "./byte-sink.js";
import type { GenerateWorkerData } from "./generate-worker.js";
import { SYNTHETIC_MARKER } from "./release-files.js";
import { buildSyntheticMovies, writeMoviesAndLinks } from "./synthetic-movies.js";
import { writeSyntheticUsers } from "./synthetic-users.js";

export interface GenerateOptions {
  out: string;
  users?: number;
  movies?: number;
  ratings?: number;
  seed?: number;
  /** Worker threads writing users (default: the machine's cores, at most 8). */
  threads?: number;
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

const MIN_PER_USER = 20;
/** Below this many users one thread writes them all (no worker start-up cost). */
const WORKER_MIN_USERS = 4096;

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

/** Appends `src` to the open file `fd` in 8 MB blocks. */
function append(fd: number, src: string): void {
  const buf = Buffer.allocUnsafe(8 << 20);
  const from = openSync(src, "r");
  try {
    for (;;) {
      const n = readSync(from, buf, 0, buf.length, null);
      if (n === 0) break;
      writeSync(fd, buf, 0, n);
    }
  } finally {
    closeSync(from);
  }
}

/** Contiguous user ranges with about equal numbers of ratings. */
function splitUsers(counts: Int32Array, parts: number): [number, number][] {
  let total = 0;
  for (const c of counts) total += c;
  const ranges: [number, number][] = [];
  let from = 0;
  let acc = 0;
  for (let u = 0; u < counts.length && ranges.length < parts - 1; u++) {
    acc += counts[u];
    if (acc >= (total * (ranges.length + 1)) / parts) {
      ranges.push([from, u + 1]);
      from = u + 1;
    }
  }
  ranges.push([from, counts.length]);
  return ranges.filter(([a, b]) => b > a);
}

function runWorker(data: GenerateWorkerData, onDone: (done: number) => void): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const w = new Worker(new URL("./generate-worker.js", import.meta.url), { workerData: data });
    let tags = -1;
    w.on("message", (m: { done?: number; tags?: number }) => {
      if (m.done !== undefined) onDone(m.done);
      if (m.tags !== undefined) tags = m.tags;
    });
    w.on("error", reject);
    w.on("exit", (code) => {
      if (code === 0 && tags >= 0) resolvePromise(tags);
      else reject(new Error(`generator worker exited with code ${code}`));
    });
  });
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
  const threads =
    U < WORKER_MIN_USERS ? 1 : Math.max(1, Math.min(opts.threads ?? availableParallelism(), 8));

  const model = buildSyntheticMovies(seed, M);
  const counts = userActivity(rngFor(seed, 3), U, R, Math.floor(M / 2));
  const files = ["ratings.csv", "movies.csv", "tags.csv", "links.csv"];
  const tmp = (f: string) => join(out, `.${f}.${process.pid}.tmp`);
  const part = (f: string, w: number) => join(out, `.${f}.${process.pid}.part${w}`);
  const ranges = threads > 1 ? splitUsers(counts, threads) : [];
  const cleanup = () => {
    for (const f of files) rmSync(tmp(f), { force: true });
    ranges.forEach((_, w) => {
      rmSync(part("ratings.csv", w), { force: true });
      rmSync(part("tags.csv", w), { force: true });
    });
  };
  const fds = new Map(files.map((f) => [f, openSync(tmp(f), "w")]));
  let tagCount = 0;
  try {
    writeMoviesAndLinks(
      model,
      seed,
      new ByteSink(fds.get("movies.csv")!),
      new ByteSink(fds.get("links.csv")!),
    );
    const ratings = new ByteSink(fds.get("ratings.csv")!);
    const tags = new ByteSink(fds.get("tags.csv")!);
    ratings.text("userId,movieId,rating,timestamp\n").flush();
    tags.text("userId,movieId,tag,timestamp\n").flush();
    const report = (done: number) =>
      onProgress({ stage: "generate ratings", done, total: R, unit: "rows" });
    if (threads === 1) {
      tagCount = writeSyntheticUsers(
        model,
        { seed, counts, from: 0, to: U },
        ratings,
        tags,
        report,
      );
    } else {
      const done = new Float64Array(ranges.length);
      const tagsPerPart = await Promise.all(
        ranges.map(([from, to], w) =>
          runWorker(
            {
              seed,
              movies: M,
              counts,
              from,
              to,
              ratingsPath: part("ratings.csv", w),
              tagsPath: part("tags.csv", w),
            },
            (d) => {
              done[w] = d;
              report(done.reduce((a, b) => a + b, 0));
            },
          ),
        ),
      );
      tagCount = tagsPerPart.reduce((a, b) => a + b, 0);
      ranges.forEach((_, w) => {
        append(fds.get("ratings.csv")!, part("ratings.csv", w));
        append(fds.get("tags.csv")!, part("tags.csv", w));
      });
    }
  } catch (e) {
    for (const fd of fds.values()) closeSync(fd);
    cleanup();
    throw e;
  }
  for (const fd of fds.values()) closeSync(fd);
  // files appear under their final names only when all are complete; the marker comes last
  rmSync(join(out, SYNTHETIC_MARKER), { force: true });
  for (const f of files) renameSync(tmp(f), join(out, f));
  cleanup();
  const markerTmp = tmp(SYNTHETIC_MARKER);
  const fd = openSync(markerTmp, "w");
  writeSync(
    fd,
    `${JSON.stringify({ generator: "cinerank generate", seed, users: U, movies: M, ratings: R, tags: tagCount }, null, 2)}\n`,
  );
  closeSync(fd);
  renameSync(markerTmp, join(out, SYNTHETIC_MARKER));
  return { out, users: U, movies: M, ratings: R, tags: tagCount, seed };
}
