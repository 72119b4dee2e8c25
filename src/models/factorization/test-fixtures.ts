/**
 * Planted low-rank rating fixtures for the collaborative-model tests: ratings generated as
 * mu + b_u + b_i + p_u . q_i + noise from known factors, so a correct factoriser must reach the
 * noise level on held-out pairs. Deterministic by seed.
 */
import { Rng } from "../../core/index.js";
import type { RatingTriples } from "./rating-triples.js";

export interface PlantedRatings {
  train: RatingTriples;
  test: RatingTriples;
  noise: number;
}

export function plantedRatings(opts: {
  nUsers: number;
  nMovies: number;
  rank: number;
  density: number;
  noise: number;
  seed: number;
  testFraction?: number;
}): PlantedRatings {
  const rng = new Rng(opts.seed);
  const { nUsers, nMovies, rank } = opts;
  const p = Float64Array.from({ length: nUsers * rank }, () => rng.normal() * 0.5);
  const q = Float64Array.from({ length: nMovies * rank }, () => rng.normal() * 0.5);
  const bu = Float64Array.from({ length: nUsers }, () => rng.normal() * 0.3);
  const bi = Float64Array.from({ length: nMovies }, () => rng.normal() * 0.3);
  const parts = [
    { user: [] as number[], movie: [] as number[], rating: [] as number[] },
    { user: [] as number[], movie: [] as number[], rating: [] as number[] },
  ];
  for (let u = 0; u < nUsers; u++) {
    for (let m = 0; m < nMovies; m++) {
      if (rng.next() >= opts.density) continue;
      let r = 3.5 + bu[u] + bi[m] + opts.noise * rng.normal();
      for (let c = 0; c < rank; c++) r += p[u * rank + c] * q[m * rank + c];
      const part = parts[rng.next() < (opts.testFraction ?? 0.2) ? 1 : 0];
      part.user.push(u);
      part.movie.push(m);
      part.rating.push(r);
    }
  }
  const [train, test] = parts.map((x) => ({
    user: Int32Array.from(x.user),
    movie: Int32Array.from(x.movie),
    rating: Float32Array.from(x.rating),
    nUsers,
    nMovies,
  }));
  return { train, test, noise: opts.noise };
}
