/**
 * A small synthetic FeatureMatrix for the shared model contract suite: 80 users x 100 movies,
 * ~30 ratings per user, where liking depends on a user bias, a movie bias and a user-genre
 * interaction that no popularity score can see. Features mimic cinerank's real ones: smoothed
 * like rates (leave-one-out on training rows, train-only for test rows), counts, a genre
 * affinity, a useless column and a sparsely-missing one. Deterministic for a seed.
 *
 * It also builds the "unseen" rows the contract probes: an unknown user (count 0, rate = global
 * rate, affinity missing), an unknown movie, and a row whose every value is missing (NaN).
 */
import { Rng } from "../../src/core/index.js";
import type { FeatureMatrix } from "../../src/features/index.js";

export const FIXTURE_FEATURES = [
  "user_like_rate",
  "user_count",
  "movie_like_rate",
  "movie_count",
  "genre_affinity",
  "year",
  "sparse_signal",
] as const;

export interface ContractFixture {
  train: FeatureMatrix;
  test: FeatureMatrix;
  /** Rows of an unknown user, of an unknown movie, and of all-missing values (3 rows). */
  unseen: FeatureMatrix;
  globalRate: number;
}

interface Pair {
  u: number;
  m: number;
  y: number;
  affinity: number;
}

function emptyMatrix(rows: number): FeatureMatrix {
  const cols = FIXTURE_FEATURES.length;
  return {
    rows,
    cols,
    names: [...FIXTURE_FEATURES],
    values: new Float32Array(rows * cols),
    labels: new Uint8Array(rows),
    ratings: new Float32Array(rows).fill(Number.NaN),
    user: new Int32Array(rows),
    movie: new Int32Array(rows),
    timestamp: new Float64Array(rows),
  };
}

export function contractFixture(seed = 1): ContractFixture {
  const rng = new Rng(seed);
  const nUsers = 80;
  const nMovies = 100;
  const nGenres = 4;
  const userBias = Float64Array.from({ length: nUsers }, () => rng.normal());
  const movieBias = Float64Array.from({ length: nMovies }, () => rng.normal());
  const taste = Float64Array.from({ length: nUsers * nGenres }, () => rng.normal());
  const genre = Int32Array.from({ length: nMovies }, () => rng.int(nGenres));
  const year = Float64Array.from({ length: nMovies }, () => 1950 + rng.int(70));
  const pairs: Pair[] = [];
  for (let u = 0; u < nUsers; u++) {
    const seen = new Set<number>();
    while (seen.size < 30) seen.add(rng.int(nMovies));
    for (const m of seen) {
      const affinity = taste[u * nGenres + genre[m]];
      const logit = 0.9 * userBias[u] + 0.9 * movieBias[m] + 1.5 * affinity;
      const y = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      pairs.push({ u, m, y, affinity });
    }
  }
  rng.shuffle(pairs);
  const nTrain = Math.floor(pairs.length * 0.7);
  const trainPairs = pairs.slice(0, nTrain);
  const testPairs = pairs.slice(nTrain);
  // Train-only aggregates.
  const uLikes = new Float64Array(nUsers);
  const uN = new Float64Array(nUsers);
  const mLikes = new Float64Array(nMovies);
  const mN = new Float64Array(nMovies);
  let likes = 0;
  for (const p of trainPairs) {
    uLikes[p.u] += p.y;
    uN[p.u]++;
    mLikes[p.m] += p.y;
    mN[p.m]++;
    likes += p.y;
  }
  const globalRate = likes / trainPairs.length;
  const prior = 3;
  const fill = (m: FeatureMatrix, list: Pair[], leaveOneOut: boolean): void => {
    const c = m.cols;
    list.forEach((p, r) => {
      const own = leaveOneOut ? p.y : 0;
      const ownN = leaveOneOut ? 1 : 0;
      const v = m.values;
      v[r * c] = (uLikes[p.u] - own + prior * globalRate) / (uN[p.u] - ownN + prior);
      v[r * c + 1] = uN[p.u] - ownN;
      v[r * c + 2] = (mLikes[p.m] - own + prior * globalRate) / (mN[p.m] - ownN + prior);
      v[r * c + 3] = mN[p.m] - ownN;
      v[r * c + 4] = p.affinity + 0.3 * rng.normal();
      v[r * c + 5] = year[p.m];
      v[r * c + 6] = rng.next() < 0.3 ? Number.NaN : p.y + rng.normal();
      m.labels[r] = p.y;
      m.user[r] = p.u;
      m.movie[r] = p.m;
      m.timestamp[r] = 1_000_000 + r;
    });
  };
  const train = emptyMatrix(trainPairs.length);
  fill(train, trainPairs, true);
  const test = emptyMatrix(testPairs.length);
  fill(test, testPairs, false);
  const unseen = emptyMatrix(3);
  const c = unseen.cols;
  const U = unseen.values;
  // unknown user, known movie 0
  U.set(
    [
      globalRate,
      0,
      (mLikes[0] + prior * globalRate) / (mN[0] + prior),
      mN[0],
      Number.NaN,
      year[0],
      Number.NaN,
    ],
    0,
  );
  // known user 0, unknown movie
  U.set(
    [
      (uLikes[0] + prior * globalRate) / (uN[0] + prior),
      uN[0],
      globalRate,
      0,
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ],
    c,
  );
  U.fill(Number.NaN, 2 * c, 3 * c);
  unseen.user.set([nUsers, 0, nUsers + 1]);
  unseen.movie.set([0, nMovies, nMovies + 1]);
  return { train, test, unseen, globalRate };
}
