/**
 * The user side of the synthetic ground truth: for users [from, to) draws each user's movies
 * (distinct, by popularity, not released after the user's active window), scores them with
 *   mu + b_u + b_m + p_u . q_m + mean genre affinity + noise (with a heavier low tail)
 * and writes rating (and some tag) lines. Each user draws from its own stream
 * rngFor(seed, 1000 + u), so any split of the users over workers gives the same bytes.
 */
import { rngFor } from "../core/index.js";
import type { ByteSink } from "./byte-sink.js";
import { GENRES } from "./genres.js";
import { csvField, LATENT, pick, type SyntheticMovies } from "./synthetic-movies.js";
import { TAG_WORDS } from "./synthetic-words.js";

const MU = 3.5;
const FIRST_TS = Date.UTC(1996, 0, 1) / 1000;
const LAST_TS = Date.UTC(2015, 2, 31) / 1000;
/** MovieLens introduced half stars in February 2003. */
const HALF_STARS_FROM = Date.UTC(2003, 1, 12) / 1000;
const YEAR_S = 365.25 * 86400;

export interface UserRange {
  seed: number;
  /** Ratings per user (all users). */
  counts: Int32Array;
  from: number;
  to: number;
}

/** Writes users [from, to); calls onUsers(ratingsSoFar) every 1024 users; returns tags written. */
export function writeSyntheticUsers(
  movies: SyntheticMovies,
  range: UserRange,
  ratings: ByteSink,
  tags: ByteSink,
  onUsers: (ratingsWritten: number) => void,
): number {
  const { seed, counts } = range;
  const M = movies.count;
  const { movieId, year, releasedTs, genreStart, genres, bias, factors: q, popularity } = movies;
  const K = LATENT;
  const taken = new Uint8Array(M);
  const chosen = new Int32Array(Math.floor(M / 2));
  const p = new Float32Array(K);
  const aff = new Float32Array(GENRES.length);
  let written = 0;
  let tagCount = 0;
  for (let u = range.from; u < range.to; u++) {
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
    if (((u - range.from) & 1023) === 1023) onUsers(written);
  }
  ratings.flush();
  tags.flush();
  onUsers(written);
  return tagCount;
}
