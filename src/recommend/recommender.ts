/**
 * Recommender: top-N with reasons, P(like) for pairs, similar movies, title search, cold start
 * and live updates — the one implementation behind `cinerank recommend|similar|predict|rate`
 * and the HTTP API. Pure: it is built from a trained run's parts (types.ts) and a Dataset, and
 * persists live ratings only through the RatingLog it is given.
 *
 * Top-N for a user the models know (or one with enough ratings):
 *   candidates  = top-N of the implicit factorisation  ∪  top-N of item-kNN over the user's
 *                 ratings (a few hundred, rated movies and filtered-out movies excluded; topped
 *                 up from the popularity ranking when CF gives too few)
 *   score       = like-model P(like) on rows built by the feature pipeline's serving path
 *   reasons     = the strongest positive contributions of each of the k best, as phrases
 * A user with a handful of ratings and unknown to the models is ranked by content and kNN
 * similarity to what they rated; a user with no ratings gets popularity-and-quality.
 */
import { CinerankError } from "../core/index.js";
import type { Dataset } from "../data/index.js";
import type { LikeModel } from "../models/index.js";
import { coldStartScores } from "./cold-start-ranking.js";
import type { MovieCatalog } from "./movie-catalog.js";
import type { RatingBook, UserRatings } from "./rating-book.js";
import type { RatingLog } from "./rating-log.js";
import { coldStartReasons, reasonFeatures, UserReasons } from "./reasons.js";
import { prepareContributions } from "./row-contributions.js";
import { scoreCandidates } from "./score-candidates.js";
import type { ScoringPool } from "./scoring-pool.js";
import { RowsScratch } from "./rows-scratch.js";
import { SimilarMovies } from "./similar-movies.js";
import { SimilarityIndex, topK } from "./similarity-index.js";
import { TopKSelector } from "./top-k-selector.js";
import type {
  CollaborativeModel,
  Contributions,
  ItemNeighbours,
  ItemVectors,
  MovieSummary,
  PairFeaturizer,
  ReasonDetail,
  RecommendationItem,
  Recommendations,
  RecommendOptions,
  ServingUser,
  SimilarOptions,
  SimilarResult,
} from "./types.js";

export interface RecommenderParts {
  catalog: MovieCatalog;
  /** like = rating >= threshold (the run's). */
  threshold: number;
  /** The chosen like-model. */
  model: LikeModel;
  featurizer: PairFeaturizer;
  /** Index of a MovieLens userId in the fitted models, -1 when they never saw the user. */
  userIndex(userId: number): number;
  collaborative?: CollaborativeModel;
  neighbours?: ItemNeighbours;
  content?: ItemVectors;
  log?: RatingLog;
  run?: { id: string; model: string };
  /** Worker threads that score and explain candidates for recommendAsync (a server). */
  scoring?: ScoringPool;
}

export interface RecommenderConfig {
  /** Candidates per generator (implicit MF, kNN). Default 200. */
  candidates: number;
  /** Fewer ratings than this, and unknown to the models: the content + kNN path. Default 5. */
  minModelRatings: number;
  /** Content share of the blended similarity. Default 0.5. */
  contentWeight: number;
  /** Ratings a movie needs to be offered as collaboratively similar. Default 5. */
  minSimilarRatings: number;
  /** Recommendation lists kept in an LRU cache, emptied when a rating is added. Default 0 (off). */
  cacheSize: number;
}

export const RECOMMENDER_DEFAULTS: RecommenderConfig = {
  candidates: 200,
  minModelRatings: 5,
  contentWeight: 0.5,
  minSimilarRatings: 5,
  cacheSize: 0,
};

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * A list item: the movie's summary fields, then rank, pLike, reasons (and the explanation when
 * given), written out — an object spread of the summary cost ~5 µs an item.
 */
function listItem(
  s: MovieSummary,
  rank: number,
  pLike: number,
  reasons: string[],
  explanation?: ReasonDetail[],
): RecommendationItem {
  const item: RecommendationItem = {
    movieId: s.movieId,
    title: s.title,
    year: s.year,
    genres: s.genres,
    ratingCount: s.ratingCount,
    meanRating: s.meanRating,
    imdbUrl: s.imdbUrl,
    tmdbUrl: s.tmdbUrl,
    posterUrl: s.posterUrl,
    overview: s.overview,
    rank,
    pLike,
    reasons,
  };
  if (explanation) item.explanation = explanation;
  return item;
}

function checkK(k: number | undefined, field = "k"): number {
  const v = k ?? 10;
  if (!Number.isInteger(v) || v < 1 || v > 100) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `${field} must be an integer in 1..100, got ${k}`,
      {
        field,
        value: k,
      },
    );
  }
  return v;
}

export function checkRating(rating: number, field = "rating"): void {
  if (!(rating >= 0.5 && rating <= 5 && Number.isInteger(rating * 2))) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `${field} must be on the half-star scale 0.5, 1, ..., 5; got ${rating}`,
      { field, value: rating },
    );
  }
}

/** Per-request buffers of the candidate step (prepare runs to completion: no request shares). */
interface CandidateScratch {
  /** 1 = not offered to this request; all 0 between requests. */
  skip: Uint8Array;
  /** 1 = already a candidate of this request; all 0 between requests. */
  inList: Uint8Array;
  /** Item-kNN scores: all 0 between requests. */
  knn: Float32Array;
  /** Movies the item-kNN scores reached, and a flag per movie (all 0 between requests). */
  reached: Int32Array;
  reachedMark: Uint8Array;
  mf: Float32Array;
  /** TopKSelector output. */
  pick: Int32Array;
  selector: TopKSelector;
}

function candidateScratch(movies: number, candidates: number): CandidateScratch {
  return {
    skip: new Uint8Array(movies),
    inList: new Uint8Array(movies),
    knn: new Float32Array(movies),
    reached: new Int32Array(movies),
    reachedMark: new Uint8Array(movies),
    mf: new Float32Array(movies),
    pick: new Int32Array(candidates),
    selector: new TopKSelector(movies),
  };
}

export class Recommender {
  readonly catalog: MovieCatalog;
  readonly book: RatingBook;
  readonly dataset: Dataset;
  readonly config: RecommenderConfig;
  private readonly contentIndex: SimilarityIndex | null;
  private readonly collabIndex: SimilarityIndex | null;
  private readonly cache = new Map<string, Recommendations>();
  /** Bumped by every rating added (recommendAsync's cache check). */
  private generation = 0;
  private readonly similarMovies: SimilarMovies;
  /** Per feature: 1 when a reason can name it; only these contributions are computed. */
  private readonly explained: Uint8Array;
  /** Buffers over the catalogue for the synchronous part of a request (prepare), reused. */
  private readonly scratch: CandidateScratch;
  /** Feature rows of the list recommend() scores on this thread. */
  private readonly rows = new RowsScratch();

  constructor(
    readonly parts: RecommenderParts,
    config: Partial<RecommenderConfig> = {},
  ) {
    this.catalog = parts.catalog;
    this.book = parts.catalog.book;
    this.dataset = parts.catalog.dataset;
    this.config = { ...RECOMMENDER_DEFAULTS, ...config };
    this.contentIndex = parts.content ? new SimilarityIndex(parts.content) : null;
    this.collabIndex = parts.collaborative ? new SimilarityIndex(parts.collaborative.items) : null;
    this.similarMovies = new SimilarMovies(
      this.catalog,
      this.contentIndex,
      this.collabIndex,
      parts.neighbours,
      this.config.minSimilarRatings,
    );
    const names = parts.model.featureNames;
    const fnames = parts.featurizer.names;
    if (names.length !== fnames.length || names.some((n, i) => n !== fnames[i])) {
      throw new CinerankError(
        "ERR_MODEL_FORMAT",
        `the model was fitted on features [${names.slice(0, 5).join(", ")}...] (${names.length}) but the feature pipeline builds [${fnames.slice(0, 5).join(", ")}...] (${fnames.length})`,
      );
    }
    this.explained = reasonFeatures(names);
    this.scratch = candidateScratch(this.catalog.size, this.config.candidates);
    // Without scoring workers this thread explains: its TreeSHAP tables are built now rather
    // than on the first request (a pool builds them itself when it scores here too).
    if (!parts.scoring) prepareContributions(parts.model, this.explained);
  }

  info(): { run: string | null; model: string | null } {
    return {
      run: this.parts.run?.id ?? null,
      model: this.parts.run?.model ?? this.parts.model.family,
    };
  }

  /** The user as the feature pipeline and CF scorers see them. */
  servingUser(userId: number): ServingUser {
    const index = this.parts.userIndex(userId);
    if (index >= 0 && !this.book.hasLive(userId)) return { id: userId, index };
    return { id: userId, index, ratings: this.book.ratings(userId) };
  }

  private reasonsFor(ratings: UserRatings): UserReasons {
    return new UserReasons(
      {
        catalog: this.catalog,
        neighbours: this.parts.neighbours,
        content: this.parts.content,
        collaborative: this.parts.collaborative?.items,
      },
      ratings,
      this.parts.threshold,
    );
  }

  /** P(like) for movies (dense indices) and the feature rows behind them. */
  private score(user: ServingUser, movies: Int32Array): { p: Float32Array; rows: Float32Array } {
    const rows = this.parts.featurizer.forUser(user, movies);
    return { p: this.parts.model.predict(rows, movies.length), rows };
  }

  private cacheKey(userId: number, opts: RecommendOptions): string {
    return `${userId}|${opts.k ?? 10}|${opts.genres?.join(",") ?? ""}|${opts.minYear ?? ""}|${opts.maxYear ?? ""}|${opts.minRatings ?? ""}`;
  }

  private cached(key: string): Recommendations | undefined {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit); // most recently used last
    }
    return hit;
  }

  private remember(key: string, out: Recommendations): Recommendations {
    this.cache.set(key, out);
    if (this.cache.size > this.config.cacheSize)
      this.cache.delete(this.cache.keys().next().value as string);
    return out;
  }

  /**
   * Top-k for a user. With `cacheSize` > 0, answers are kept (LRU) until any rating is added:
   * a rating changes its user's profile and the movie statistics every list shows.
   */
  recommend(userId: number, opts: RecommendOptions = {}): Recommendations {
    const key = this.config.cacheSize > 0 ? this.cacheKey(userId, opts) : "";
    const hit = key ? this.cached(key) : undefined;
    if (hit) return hit;
    const prep = this.prepare(userId, opts);
    if ("done" in prep) return key ? this.remember(key, prep.done) : prep.done;
    const rows = this.parts.featurizer.forUser(
      prep.user,
      prep.cands,
      this.rows.get(prep.cands.length * this.parts.featurizer.names.length),
    );
    const scored = scoreCandidates(this.parts.model, rows, prep.cands, prep.k, this.explained);
    const out = this.finish(prep, scored.p, scored.top, scored.contributions);
    return key ? this.remember(key, out) : out;
  }

  /**
   * recommend(), with the model's scoring and explanations on the scoring workers when the
   * recommender has them (a server): the same list, and the main thread stays free for other
   * requests meanwhile.
   */
  async recommendAsync(userId: number, opts: RecommendOptions = {}): Promise<Recommendations> {
    const pool = this.parts.scoring;
    if (!pool) return this.recommend(userId, opts);
    const key = this.config.cacheSize > 0 ? this.cacheKey(userId, opts) : "";
    const hit = key ? this.cached(key) : undefined;
    if (hit) return hit;
    const prep = this.prepare(userId, opts);
    if ("done" in prep) return key ? this.remember(key, prep.done) : prep.done;
    const generation = this.generation;
    // A pool given the run's features builds the rows where it scores them.
    const scored = pool.buildsRows
      ? await pool.scoreUser(prep.user, prep.cands.slice(), prep.k)
      : await pool.score(
          this.parts.featurizer.forUser(prep.user, prep.cands),
          prep.cands.slice(),
          prep.k,
        );
    const out = this.finish(prep, scored.p, scored.top, scored.contributions);
    // A rating added while the workers scored must not leave an older list in the cache.
    return key && generation === this.generation ? this.remember(key, out) : out;
  }

  /** Validation, the cold-start answers, and for the model path the candidates. */
  private prepare(
    userId: number,
    opts: RecommendOptions,
  ):
    | { done: Recommendations }
    | { userId: number; user: ServingUser; ratings: UserRatings; cands: Int32Array; k: number } {
    const k = checkK(opts.k);
    if (opts.minYear !== undefined && opts.maxYear !== undefined && opts.minYear > opts.maxYear) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `minYear (${opts.minYear}) must not exceed maxYear (${opts.maxYear})`,
        {
          field: "minYear",
        },
      );
    }
    const filter = this.catalog.filter(opts);
    const ratings = this.book.ratings(userId);
    // skip[m] = 1: movie m is not offered (rated, or filtered out); all 0 again on the way out
    const skip = this.scratch.skip;
    if (!filter.all) for (let m = 0; m < skip.length; m++) skip[m] = filter.accepts(m) ? 0 : 1;
    for (let i = 0; i < ratings.movie.length; i++) skip[ratings.movie[i]] = 1;
    try {
      const accept = (m: number) => skip[m] === 0;
      const user = this.servingUser(userId);
      const genreMask =
        opts.genres && opts.genres.length > 0 ? this.catalog.genreMask(opts.genres) : 0;
      if (ratings.movie.length === 0) {
        return {
          done: {
            userId,
            coldStart: true,
            strategy: "popularity",
            items: this.popular(user, k, accept, genreMask),
          },
        };
      }
      if (user.index < 0 && ratings.movie.length < this.config.minModelRatings) {
        return {
          done: {
            userId,
            coldStart: true,
            strategy: "profile",
            items: this.byProfile(user, ratings, k, accept),
          },
        };
      }
      return { userId, user, ratings, cands: this.candidates(user, ratings, k), k };
    } finally {
      if (filter.all) for (let i = 0; i < ratings.movie.length; i++) skip[ratings.movie[i]] = 0;
      else skip.fill(0);
    }
  }

  /** The list from scored candidates: top = indices into cands, best first. */
  private finish(
    prep: { userId: number; ratings: UserRatings; cands: Int32Array },
    p: Float32Array,
    top: readonly number[],
    contribs: readonly Contributions[],
  ): Recommendations {
    const { cands } = prep;
    const reasons = this.reasonsFor(prep.ratings);
    const names = this.parts.model.featureNames;
    const items: RecommendationItem[] = top.map((i, rank) => {
      const m = cands[i];
      const explanation = reasons.explain(names, contribs[rank], m);
      const texts = explanation.map((e) => e.reason);
      // A model whose strongest evidence has no phrase still gets a truthful line.
      if (texts.length === 0) texts.push(...reasons.profileReasons(m, 2));
      return listItem(this.catalog.summary(m), rank + 1, round4(p[i]), texts, explanation);
    });
    return { userId: prep.userId, coldStart: false, strategy: "model", items };
  }

  /**
   * Candidate movies for a user, in a fixed order: the implicit-MF top-n, then the item-kNN
   * top-n not already in, then (when CF gives too few) the popularity ranking's best. Movies
   * flagged in scratch.skip are never offered. Whole-catalogue passes use the scratch buffers.
   */
  private candidates(user: ServingUser, ratings: UserRatings, k: number): Int32Array {
    const n = this.config.candidates;
    const {
      skip,
      inList,
      knn: knnBuf,
      reached,
      reachedMark,
      mf: mfBuf,
      pick,
      selector,
    } = this.scratch;
    const out = new Int32Array(2 * n + Math.max(2 * k, 50));
    let size = 0;
    const mf = this.parts.collaborative?.userScores(user, mfBuf);
    if (mf) {
      const got = selector.select(mf, n, skip, pick);
      for (let i = 0; i < got; i++) {
        inList[pick[i]] = 1;
        out[size++] = pick[i];
      }
    }
    if (this.parts.neighbours) {
      // Only the movies kNN reached can score; Number.MIN_VALUE: positive scores only.
      const count = this.knnScores(ratings, knnBuf, reached, reachedMark);
      const got = selector.selectAmong(knnBuf, reached, count, n, skip, pick, Number.MIN_VALUE);
      for (let i = 0; i < count; i++) {
        knnBuf[reached[i]] = 0;
        reachedMark[reached[i]] = 0;
      }
      for (let i = 0; i < got; i++) {
        if (inList[pick[i]] === 1) continue;
        inList[pick[i]] = 1;
        out[size++] = pick[i];
      }
    }
    const want = Math.max(2 * k, 50);
    if (size < want) {
      const pop = coldStartScores(this.book.movieLikes, this.book.movieCount);
      for (const m of topK(pop, want, (m) => skip[m] === 0 && inList[m] === 0)) out[size++] = m;
    }
    for (let i = 0; i < size; i++) inList[out[i]] = 0;
    return out.slice(0, size);
  }

  /**
   * Item-kNN score of every movie into `out` (all 0 on entry): similarity-weighted,
   * mean-centred ratings of its neighbours among the user's ratings. With `reached`, also lists
   * each movie it added to once (`mark`, all 0 on entry, flags them) and returns how many.
   */
  private knnScores(
    ratings: UserRatings,
    out: Float32Array,
    reached?: Int32Array,
    mark?: Uint8Array,
  ): number {
    const nb = this.parts.neighbours;
    if (!nb) return 0;
    const table = nb.table;
    const n = ratings.movie.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += ratings.rating[i];
    mean = n > 0 ? mean / n : 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const w = ratings.rating[i] - mean + 0.25; // liked-ish movies pull their neighbours up
      if (w <= 0) continue;
      // the lists' table when there is one: no view objects per rated movie
      let movie: Int32Array;
      let sim: Float32Array;
      let from: number;
      let to: number;
      if (table) {
        ({ movie, sim } = table);
        from = table.start[ratings.movie[i]];
        to = table.start[ratings.movie[i] + 1];
      } else {
        ({ movie, sim } = nb.neighbours(ratings.movie[i]));
        from = 0;
        to = movie.length;
      }
      for (let j = from; j < to; j++) {
        const m = movie[j];
        out[m] += w * sim[j];
        if (reached && mark && mark[m] === 0) {
          mark[m] = 1;
          reached[count++] = m;
        }
      }
    }
    return count;
  }

  /** Popularity-and-quality ranking (no ratings at all). */
  private popular(
    user: ServingUser,
    k: number,
    accept: (m: number) => boolean,
    genreMask: number,
  ): RecommendationItem[] {
    const pop = coldStartScores(this.book.movieLikes, this.book.movieCount);
    const top = Int32Array.from(topK(pop, k, accept));
    const { p } = this.score(user, top);
    return Array.from(top, (m, i) =>
      listItem(
        this.catalog.summary(m),
        i + 1,
        round4(p[i]),
        coldStartReasons(this.catalog, m, genreMask),
      ),
    );
  }

  /** A new user's few ratings: content and collaborative similarity to what they rated, plus
   * item-kNN, with a small popularity prior so that one rating does not surface oddities. */
  private byProfile(
    user: ServingUser,
    ratings: UserRatings,
    k: number,
    accept: (m: number) => boolean,
  ): RecommendationItem[] {
    const n = this.catalog.size;
    const weights = Float32Array.from(ratings.rating, (r) => r - 3); // liked > 0 > disliked
    const score = new Float32Array(n);
    const add = (s: Float32Array | null, w: number) => {
      if (!s) return;
      let max = 0;
      for (let m = 0; m < n; m++) if (Math.abs(s[m]) > max) max = Math.abs(s[m]);
      if (max > 0) for (let m = 0; m < n; m++) score[m] += (w * s[m]) / max;
    };
    add(this.contentIndex?.profileScores(ratings.movie, weights) ?? null, 1);
    add(this.collabIndex?.profileScores(ratings.movie, weights) ?? null, 1);
    if (this.parts.neighbours) {
      const knn = new Float32Array(n);
      this.knnScores(ratings, knn);
      add(knn, 1);
    }
    const pop = coldStartScores(this.book.movieLikes, this.book.movieCount);
    add(Float32Array.from(pop), 0.5);
    const top = Int32Array.from(topK(score, k, accept));
    const { p } = this.score(user, top);
    const reasons = this.reasonsFor(ratings);
    return Array.from(top, (m, i) =>
      listItem(this.catalog.summary(m), i + 1, round4(p[i]), reasons.profileReasons(m)),
    );
  }

  predict(
    userId: number,
    movieIds: readonly number[],
  ): { userId: number; predictions: { movieId: number; pLike: number }[] } {
    if (movieIds.length === 0) {
      throw new CinerankError("ERR_INVALID_ARGUMENT", "movieIds must name at least one movie", {
        field: "movieIds",
      });
    }
    const movies = Int32Array.from(movieIds, (id, i) => this.catalog.indexOf(id, `movieIds[${i}]`));
    const { p } = this.score(this.servingUser(userId), movies);
    return {
      userId,
      predictions: movieIds.map((movieId, i) => ({ movieId, pLike: round4(p[i]) })),
    };
  }

  movie(movieId: number): MovieSummary {
    return this.catalog.summary(this.catalog.indexOf(movieId));
  }

  searchMovies(
    query: string | undefined,
    genre: string | undefined,
    limit: number,
  ): MovieSummary[] {
    return this.catalog.search(query, genre, limit).map((m) => this.catalog.summary(m));
  }

  similar(movieId: number, opts: SimilarOptions = {}): SimilarResult {
    return this.similarMovies.similar(movieId, {
      ...opts,
      k: checkK(opts.k),
      contentWeight: opts.contentWeight ?? this.config.contentWeight,
    });
  }

  /** Similar movies for the best title match of `title`. */
  similarByTitle(title: string, opts: SimilarOptions = {}): SimilarResult {
    const hit = this.catalog.search(title, undefined, 1);
    if (hit.length === 0) {
      throw new CinerankError("ERR_UNKNOWN_MOVIE", `no movie title matches "${title}"`, {
        field: "title",
        value: title,
      });
    }
    return this.similar(this.dataset.movies.id(hit[0]), opts);
  }

  /**
   * Add ratings for a user (new or known): validated first, persisted through the log (all or
   * nothing), then applied, so the next recommendation reflects them without retraining.
   */
  async rate(
    userId: number,
    ratings: readonly { movieId: number; rating: number }[],
    now = Date.now(),
  ): Promise<{ userId: number; added: number; ratingCount: number }> {
    if (!Number.isInteger(userId) || userId < 1) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `userId must be a positive integer, got ${userId}`,
        { field: "userId" },
      );
    }
    if (ratings.length === 0) {
      throw new CinerankError("ERR_INVALID_ARGUMENT", "ratings must contain at least one rating", {
        field: "ratings",
      });
    }
    const movies = ratings.map((r, i) => {
      checkRating(r.rating, `ratings[${i}].rating`);
      return this.catalog.indexOf(r.movieId, `ratings[${i}].movieId`);
    });
    const timestamp = Math.floor(now / 1000);
    await this.parts.log?.append(
      ratings.map((r) => ({ userId, movieId: r.movieId, rating: r.rating, timestamp })),
    );
    for (let i = 0; i < ratings.length; i++)
      this.book.add(userId, movies[i], ratings[i].rating, timestamp);
    this.cache.clear();
    this.generation++;
    return { userId, added: ratings.length, ratingCount: this.book.count(userId) };
  }

  /** The user's ratings, newest first. */
  userRatings(
    userId: number,
    limit: number,
  ): { userId: number; items: (MovieSummary & { rating: number; timestamp: number })[] } {
    const r = this.book.ratings(userId);
    const order = Array.from(r.movie.keys()).sort(
      (a, b) => r.timestamp[b] - r.timestamp[a] || a - b,
    );
    return {
      userId,
      items: order.slice(0, limit).map((i) => ({
        ...this.catalog.summary(r.movie[i]),
        rating: r.rating[i],
        timestamp: r.timestamp[i],
      })),
    };
  }

  async close(): Promise<void> {
    await this.parts.scoring?.close();
    await this.parts.log?.close();
    await this.parts.model.dispose?.();
  }
}
