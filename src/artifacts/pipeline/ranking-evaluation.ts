/**
 * Ranking evaluation and top-N exports over whole users. For each user, every movie they did not
 * rate in training is a candidate; a scorer gives one score per candidate. The same pass yields
 * the test-ranking cases (relevant = liked test movies, EVALUATION.md) and the top-N
 * recommendations (which also leave out movies rated in validation or test, since a user has
 * seen those). Users are scored in batches to bound memory.
 */
import type { ProgressReporter } from "../../core/index.js";
import type { Dataset } from "../../data/index.js";
import {
  type RankingCase,
  type RankingMetrics,
  rankingMetrics,
  topKByScore,
} from "../../evaluation/index.js";
import { PART_TEST, PART_TRAIN, type Split } from "../../splits/index.js";

/** Scores of `movies` for dense user `user`. */
export type UserScorer = (user: number, movies: Int32Array) => Float32Array | Promise<Float32Array>;

/**
 * Scores of `movies[k]` for user `users[k]`, for several users at once: one large prediction
 * call instead of one per user (which can then use worker threads and amortises per-call costs).
 * Must give the same scores as the UserScorer would, user by user. Split in two so that the next
 * batch's input (feature rows) is prepared on this thread while workers score the current one.
 */
export interface BatchScorer {
  /** Whatever `score` needs for users[k] x movies[k] (feature rows). */
  prepare(users: Int32Array, movies: Int32Array[]): unknown;
  /** Scores per user of a prepared batch; `meanwhile` runs once on this thread during it. */
  score(batch: unknown, meanwhile?: () => void): Promise<Float32Array[]>;
}

/**
 * Candidate rows per BatchScorer call: enough that worker start-up is a small share of the call
 * (about 20 users of ml-latest-small's ~9.7k movies, or 200 users of a 1000-movie pool), few
 * enough that the feature rows (rows x ~80 float32) stay well under 100 MB.
 */
const BATCH_ROWS = 200_000;

/**
 * Scores user by user through `one`, or in batches of about `budget` candidates through `many`,
 * preparing batch b+1 while batch b is scored.
 */
async function* scoredUsers(
  users: Int32Array,
  candidates: (u: number) => Int32Array,
  one: UserScorer,
  many: BatchScorer | undefined,
  budget = BATCH_ROWS,
): AsyncGenerator<{ j: number; u: number; cands: Int32Array; scores: Float32Array }> {
  if (!many) {
    for (let j = 0; j < users.length; j++) {
      const cands = candidates(users[j]);
      yield { j, u: users[j], cands, scores: await one(users[j], cands) };
    }
    return;
  }
  const take = (j0: number) => {
    const cands: Int32Array[] = [];
    let rows = 0;
    let j1 = j0;
    while (j1 < users.length && (j1 === j0 || rows < budget)) {
      const c = candidates(users[j1++]);
      cands.push(c);
      rows += c.length;
    }
    const group = users.subarray(j0, j1);
    return { j0, j1, group, cands, input: many.prepare(group, cands) };
  };
  let cur: ReturnType<typeof take> | null = users.length > 0 ? take(0) : null;
  while (cur) {
    const at = cur;
    let next: ReturnType<typeof take> | null = null;
    const prepareNext = () => {
      if (at.j1 < users.length) next = take(at.j1);
    };
    const scores = await many.score(at.input, prepareNext);
    if (next === null) prepareNext();
    for (let k = 0; k < at.group.length; k++) {
      yield { j: at.j0 + k, u: at.group[k], cands: at.cands[k], scores: scores[k] };
    }
    cur = next;
  }
}

export interface UserLists {
  /** Movies rated in training, per user (ascending). */
  trainRated: Int32Array[];
  /** Movies rated in any part, per user. */
  allRated: Int32Array[];
  /** Liked test movies, per user. */
  relevant: Int32Array[];
  /** Users with at least one test row. */
  testUsers: Int32Array;
}

export function userLists(d: Dataset, split: Split): UserLists {
  const nU = d.users.size;
  const r = d.ratings;
  const train: number[][] = Array.from({ length: nU }, () => []);
  const all: number[][] = Array.from({ length: nU }, () => []);
  const rel: number[][] = Array.from({ length: nU }, () => []);
  const hasTest = new Uint8Array(nU);
  for (let i = 0; i < r.user.length; i++) {
    const u = r.user[i];
    const p = split.part[i];
    all[u].push(r.movie[i]);
    if (p === PART_TRAIN) train[u].push(r.movie[i]);
    else if (p === PART_TEST) {
      hasTest[u] = 1;
      if (r.rating[i] >= split.threshold) rel[u].push(r.movie[i]);
    }
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  const testUsers: number[] = [];
  for (let u = 0; u < nU; u++) if (hasTest[u]) testUsers.push(u);
  return {
    trainRated: train.map(sorted),
    allRated: all.map(sorted),
    relevant: rel.map(sorted),
    testUsers: Int32Array.from(testUsers),
  };
}

/** Movies 0..nMovies-1 minus the sorted `exclude`. */
export function complement(nMovies: number, exclude: Int32Array): Int32Array {
  const out = new Int32Array(nMovies - exclude.length);
  let k = 0;
  let e = 0;
  for (let m = 0; m < nMovies; m++) {
    while (e < exclude.length && exclude[e] < m) e++;
    if (e < exclude.length && exclude[e] === m) continue;
    out[k++] = m;
  }
  return k === out.length ? out : out.subarray(0, k);
}

export interface RankingRunOptions {
  dataset: Dataset;
  lists: UserLists;
  scorer: UserScorer;
  /** Optional faster path: the same scores for many users per call. */
  batchScorer?: BatchScorer;
  /** Users to score (default: the test users). */
  users?: Int32Array;
  /** Users whose lists enter the ranking metrics (default: every scored user). */
  metricUsers?: ReadonlySet<number>;
  ks?: readonly number[];
  /** Also keep the top-N recommendations (excluding everything the user rated) per user. */
  topN?: number;
  /** Candidate rows per batchScorer call (default BATCH_ROWS). */
  batchRows?: number;
  onProgress?: ProgressReporter;
  stage?: string;
}

export interface RankingRun {
  metrics: RankingMetrics;
  /** Top-N per ranked user (dense movie indices), when topN was asked. */
  top: Map<number, { movies: Int32Array; scores: Float32Array }>;
}

export async function runRanking(o: RankingRunOptions): Promise<RankingRun> {
  const nM = o.dataset.movies.size;
  const ks = o.ks ?? [10, 20];
  const maxK = Math.max(...ks);
  const users = o.users ?? o.lists.testUsers;
  const cases: RankingCase[] = [];
  const top = new Map<number, { movies: Int32Array; scores: Float32Array }>();
  const stage = o.stage ?? "ranking";
  const cand = (u: number) => complement(nM, o.lists.trainRated[u]);
  for await (const { j, u, cands, scores } of scoredUsers(
    users,
    cand,
    o.scorer,
    o.batchScorer,
    o.batchRows,
  )) {
    if (!o.metricUsers || o.metricUsers.has(u)) {
      cases.push({ recommended: topKByScore(scores, cands, maxK), relevant: o.lists.relevant[u] });
    }
    if (o.topN && o.topN > 0) {
      // drop val/test-rated movies (the user has seen them) by scoring them -Infinity
      const seen = new Set(o.lists.allRated[u]);
      const s2 = Float32Array.from(scores, (s, i) => (seen.has(cands[i]) ? Number.NaN : s));
      const best = topKByScore(s2, cands, o.topN);
      const pos = new Map<number, number>();
      for (let i = 0; i < cands.length; i++) pos.set(cands[i], i);
      top.set(u, { movies: best, scores: Float32Array.from(best, (m) => scores[pos.get(m)!]) });
    }
    if ((j & 15) === 15 || j === users.length - 1)
      o.onProgress?.({ stage, done: j + 1, total: users.length, unit: "users" });
  }
  return { metrics: rankingMetrics(cases, nM, ks), top };
}

export interface PoolRecommendOptions {
  lists: UserLists;
  scorer: UserScorer;
  /** Optional faster path: the same scores for many users per call. */
  batchScorer?: BatchScorer;
  users: Int32Array;
  /** Candidate movies (dense indices) for everyone; each user's rated movies are removed. */
  pool: Int32Array;
  topN: number;
  onProgress?: ProgressReporter;
}

/** Top-N of the pool per user, by the scorer, never a movie the user rated in any part. */
export async function recommendFromPool(
  o: PoolRecommendOptions,
): Promise<Map<number, { movies: Int32Array; scores: Float32Array }>> {
  const top = new Map<number, { movies: Int32Array; scores: Float32Array }>();
  const cand = (u: number) => {
    const rated = new Set(o.lists.allRated[u]);
    return o.pool.filter((m) => !rated.has(m));
  };
  for await (const { j, u, cands, scores } of scoredUsers(o.users, cand, o.scorer, o.batchScorer)) {
    const best = topKByScore(scores, cands, o.topN);
    const pos = new Map<number, number>();
    for (let i = 0; i < cands.length; i++) pos.set(cands[i], i);
    top.set(u, { movies: best, scores: Float32Array.from(best, (m) => scores[pos.get(m)!]) });
    if ((j & 31) === 31 || j === o.users.length - 1)
      o.onProgress?.({
        stage: "recommendations",
        done: j + 1,
        total: o.users.length,
        unit: "users",
      });
  }
  return top;
}
