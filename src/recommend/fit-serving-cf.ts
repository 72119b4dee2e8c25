/**
 * The collaborative parts serving needs and a run does not store: the implicit-feedback
 * factorisation (who rated what: candidates a user would plausibly watch, and collaborative
 * similarity) and item-kNN neighbour lists (candidates and "people who liked X" reasons), fitted
 * with the CF models' own code on the ratings the run was trained on, when a recommender is
 * opened. Users whose ratings changed since are folded in by the models at request time.
 * On ml-latest-small this takes a second or two.
 */
import { type ProgressReporter, rngFor } from "../core/index.js";
import type { Dataset } from "../data/index.js";
import { fitImplicitMf, fitItemKnn, ratingTriples } from "../models/index.js";
import { FactorDots } from "./factor-dots.js";
import type { CollaborativeModel, ItemNeighbours, NeighbourTable } from "./types.js";

export { dotAll } from "./factor-dots.js";

export interface ServingCfOptions {
  seed?: number;
  /** Latent factors (default 32). */
  factors?: number;
  /** ALS iterations (default 10). */
  iterations?: number;
  /** Neighbours kept per movie (default 50). */
  neighbours?: number;
  threads?: number;
  onProgress?: ProgressReporter;
}

export interface ServingCf {
  collaborative: CollaborativeModel;
  neighbours: ItemNeighbours;
}

export async function fitServingCf(
  dataset: Dataset,
  opts: ServingCfOptions = {},
): Promise<ServingCf> {
  // Users past the last one with ratings (new ids sort last) stay out of the factorisation, so
  // that the fit — whose random initialisation depends on the number of users — is the same
  // whether or not new users have since been added to the store.
  let maxUser = -1;
  for (const u of dataset.ratings.user) if (u > maxUser) maxUser = u;
  const triples = ratingTriples(dataset.ratings, undefined, {
    nUsers: maxUser + 1,
    nMovies: dataset.movies.size,
  });
  const seed = opts.seed ?? 42;
  const mf = await fitImplicitMf(
    triples,
    { factors: opts.factors ?? 32, iterations: opts.iterations ?? 10, trackLoss: false },
    { rng: rngFor(seed, 0x5e7), threads: opts.threads, onProgress: opts.onProgress },
  );
  const knn = await fitItemKnn(
    triples,
    { neighbours: opts.neighbours ?? 50 },
    { threads: opts.threads, onProgress: opts.onProgress },
  );
  const dots = new FactorDots(mf.movieFactors, mf.k);
  const collaborative: CollaborativeModel = {
    items: mf.items,
    // The factorisation is indexed by the dataset's user indices, not the feature state's.
    userScores: (user, into) => {
      const index = dataset.users.index(user.id);
      // A live profile is folded in by the model; a fitted user's scores are the same dot
      // products, on the SIMD kernel (factor-dots.ts).
      if (user.ratings || !mf.knowsUser(index))
        return mf.userScores({ index, ratings: user.ratings });
      const k = mf.k;
      return dots.scores(mf.userFactors.subarray(index * k, (index + 1) * k), into);
    },
  };
  const table = neighbourTable(dataset.movies.size, (m) => knn.neighboursOf(m));
  const neighbours: ItemNeighbours = {
    neighbours(m) {
      const from = m >= 0 && m < dataset.movies.size ? table.start[m] : 0;
      const to = m >= 0 && m < dataset.movies.size ? table.start[m + 1] : 0;
      return { movie: table.movie.subarray(from, to), sim: table.sim.subarray(from, to) };
    },
    table,
  };
  return { collaborative, neighbours };
}

/** Every movie's neighbour list copied into one CSR table (ItemNeighbours.table). */
export function neighbourTable(
  movies: number,
  listOf: (m: number) => { movies: Int32Array; sims: Float32Array },
): NeighbourTable {
  const start = new Int32Array(movies + 1);
  for (let m = 0; m < movies; m++) start[m + 1] = start[m] + listOf(m).movies.length;
  const movie = new Int32Array(start[movies]);
  const sim = new Float32Array(start[movies]);
  for (let m = 0; m < movies; m++) {
    const l = listOf(m);
    movie.set(l.movies, start[m]);
    sim.set(l.sims, start[m]);
  }
  return { start, movie, sim };
}
