/**
 * Same-shape synthetic ratings for the MF / kNN benchmark (used until `cinerank generate` of the
 * data layer is available): ml-20m's shape — 138,493 users, 26,744 movies, 20,000,263 ratings,
 * every user with >= 20 ratings and a heavy-tailed (log-normal) activity, movie popularity a
 * shifted Zipf law (k + 100)^-1.3 (the top movie takes ~0.35% of ratings, as "Pulp Fiction"'s
 * 67k of 20M does), no duplicate (user, movie) pairs, half-star ratings from a rank-8 model with
 * biases and noise. Deterministic by seed.
 */
import { Rng } from "../src/core/index.js";
import type { RatingTriples } from "../src/models/factorization/index.js";

export interface SyntheticShape {
  nUsers: number;
  nMovies: number;
  nRatings: number;
  seed: number;
}

export const ML20M_SHAPE: SyntheticShape = {
  nUsers: 138493,
  nMovies: 26744,
  nRatings: 20000263,
  seed: 20,
};

export function syntheticRatings(shape: SyntheticShape): RatingTriples {
  const { nUsers, nMovies, nRatings } = shape;
  const rng = new Rng(shape.seed);
  // per-user counts: 20 + a log-normal share of the rest, capped at half the catalogue
  const w = new Float64Array(nUsers);
  let sw = 0;
  for (let u = 0; u < nUsers; u++) {
    w[u] = Math.exp(1.2 * rng.normal());
    sw += w[u];
  }
  const cap = Math.floor(nMovies / 2);
  const count = new Int32Array(nUsers);
  let total = 0;
  const rest = nRatings - 20 * nUsers;
  for (let u = 0; u < nUsers; u++) {
    count[u] = Math.min(cap, 20 + Math.floor((rest * w[u]) / sw));
    total += count[u];
  }
  // hand out the rounding remainder one rating at a time
  for (let u = 0; total < nRatings; u = (u + 1) % nUsers) {
    if (count[u] < cap) {
      count[u]++;
      total++;
    }
  }
  // movie popularity CDF; movie ids shuffled so popularity is not the index order
  const cdf = new Float64Array(nMovies);
  let acc = 0;
  for (let k = 0; k < nMovies; k++) {
    acc += (k + 100) ** -1.3;
    cdf[k] = acc;
  }
  const perm = rng.shuffle(Int32Array.from({ length: nMovies }, (_, i) => i));
  const rank = 8;
  const pu = Float32Array.from({ length: nUsers * rank }, () => 0.35 * rng.normal());
  const qi = Float32Array.from({ length: nMovies * rank }, () => 0.35 * rng.normal());
  const bu = Float32Array.from({ length: nUsers }, () => 0.4 * rng.normal());
  const bi = Float32Array.from({ length: nMovies }, () => 0.4 * rng.normal());
  const user = new Int32Array(nRatings);
  const movie = new Int32Array(nRatings);
  const rating = new Float32Array(nRatings);
  const stamp = new Int32Array(nMovies).fill(-1);
  let i = 0;
  for (let u = 0; u < nUsers; u++) {
    for (let j = 0; j < count[u]; j++) {
      let m: number;
      do {
        const x = rng.next() * acc;
        let lo = 0;
        let hi = nMovies - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] < x) lo = mid + 1;
          else hi = mid;
        }
        m = perm[lo];
      } while (stamp[m] === u);
      stamp[m] = u;
      let r = 3.5 + bu[u] + bi[m] + 0.5 * rng.normal();
      for (let c = 0; c < rank; c++) r += pu[u * rank + c] * qi[m * rank + c];
      user[i] = u;
      movie[i] = m;
      rating[i] = Math.min(5, Math.max(0.5, Math.round(r * 2) / 2));
      i++;
    }
  }
  return { user, movie, rating, nUsers, nMovies };
}
