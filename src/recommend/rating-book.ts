/**
 * RatingBook: every user's ratings at serving time — the dataset's ratings (grouped per user
 * once, CSR) plus ratings added live — and the per-movie rating count and sum they imply. A live
 * rating of a movie the user already rated replaces the old one. Users are addressed by their
 * MovieLens id, since live users may be absent from the dataset's user index.
 *
 *   order[start[u] .. start[u+1])  = rating indices of dataset user u, in dataset order
 */
import type { Dataset } from "../data/index.js";

export interface UserRatings {
  /** Dense movie indices. */
  movie: Int32Array;
  rating: Float32Array;
  /** Unix seconds. */
  timestamp: Float64Array;
}

const EMPTY: UserRatings = {
  movie: new Int32Array(0),
  rating: new Float32Array(0),
  timestamp: new Float64Array(0),
};

export class RatingBook {
  private readonly start: Int32Array;
  private readonly order: Int32Array;
  /** Per dataset user: 1 when the store holds a movie twice for them (a live re-rating). */
  private readonly repeats: Uint8Array;
  /** userId -> (movie index -> [rating, timestamp]) for ratings added at run time. */
  private readonly live = new Map<number, Map<number, [number, number]>>();
  private readonly merged = new Map<number, UserRatings>();
  private readonly changed = new Set<number>();
  readonly movieCount: Float64Array;
  readonly movieSum: Float64Array;
  private total = 0;
  private sum = 0;

  readonly movieLikes: Float64Array;

  constructor(
    private readonly dataset: Dataset,
    /** like = rating >= threshold. */
    readonly threshold = 3.5,
  ) {
    const r = dataset.ratings;
    const nu = dataset.users.size;
    const n = r.user.length;
    this.start = new Int32Array(nu + 1);
    for (let i = 0; i < n; i++) this.start[r.user[i] + 1]++;
    for (let u = 0; u < nu; u++) this.start[u + 1] += this.start[u];
    const fill = this.start.slice(0, nu);
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[fill[r.user[i]]++] = i;
    // Which users have a movie twice, found once here rather than on every lookup.
    this.repeats = new Uint8Array(nu);
    const stamp = new Int32Array(dataset.movies.size).fill(-1);
    for (let u = 0; u < nu; u++) {
      for (let j = this.start[u]; j < this.start[u + 1]; j++) {
        const m = r.movie[this.order[j]];
        if (stamp[m] === u) {
          this.repeats[u] = 1;
          break;
        }
        stamp[m] = u;
      }
    }
    this.movieCount = new Float64Array(dataset.movies.size);
    this.movieSum = new Float64Array(dataset.movies.size);
    this.movieLikes = new Float64Array(dataset.movies.size);
    for (let i = 0; i < n; i++) {
      this.movieCount[r.movie[i]]++;
      if (r.rating[i] >= threshold) this.movieLikes[r.movie[i]]++;
      this.movieSum[r.movie[i]] += r.rating[i];
      this.sum += r.rating[i];
    }
    this.total = n;
  }

  /** Mean of every rating (dataset and live). */
  get globalMean(): number {
    return this.total > 0 ? this.sum / this.total : Number.NaN;
  }

  get ratingTotal(): number {
    return this.total;
  }

  /** True when the user has ratings in the dataset or added live. */
  knows(userId: number): boolean {
    return this.count(userId) > 0;
  }

  /**
   * True when the user's ratings differ from what the models were fitted on: ratings added in
   * this process, or earlier ones persisted in the store (see markChanged).
   */
  hasLive(userId: number): boolean {
    return this.live.has(userId) || this.changed.has(userId);
  }

  /** Mark a user whose dataset ratings include ratings added after the models were fitted. */
  markChanged(userId: number): void {
    this.changed.add(userId);
  }

  /** Users with ratings added at run time. */
  liveUsers(): number[] {
    return [...this.live.keys()];
  }

  private datasetRatings(userId: number): UserRatings {
    const u = this.dataset.users.index(userId);
    if (u < 0) return EMPTY;
    const a = this.start[u];
    const b = this.start[u + 1];
    const r = this.dataset.ratings;
    // A store may hold a re-rating (added live) after the original: the later one wins.
    if (this.repeats[u]) {
      const seen = new Map<number, number>();
      for (let j = a; j < b; j++) seen.set(r.movie[this.order[j]], this.order[j]);
      const keep = [...seen.values()].sort((x, y) => x - y);
      return {
        movie: Int32Array.from(keep, (i) => r.movie[i]),
        rating: Float32Array.from(keep, (i) => r.rating[i]),
        timestamp: Float64Array.from(keep, (i) => r.timestamp[i]),
      };
    }
    const out: UserRatings = {
      movie: new Int32Array(b - a),
      rating: new Float32Array(b - a),
      timestamp: new Float64Array(b - a),
    };
    for (let j = a; j < b; j++) {
      const i = this.order[j];
      out.movie[j - a] = r.movie[i];
      out.rating[j - a] = r.rating[i];
      out.timestamp[j - a] = r.timestamp[i];
    }
    return out;
  }

  /** The user's current ratings (dataset + live; a live re-rating replaces the old value). */
  ratings(userId: number): UserRatings {
    const cached = this.merged.get(userId);
    if (cached) return cached;
    const base = this.datasetRatings(userId);
    const live = this.live.get(userId);
    if (!live) return base;
    const byMovie = new Map<number, [number, number]>();
    for (let i = 0; i < base.movie.length; i++)
      byMovie.set(base.movie[i], [base.rating[i], base.timestamp[i]]);
    for (const [m, v] of live) byMovie.set(m, v);
    const out: UserRatings = {
      movie: new Int32Array(byMovie.size),
      rating: new Float32Array(byMovie.size),
      timestamp: new Float64Array(byMovie.size),
    };
    let i = 0;
    for (const [m, [r, t]] of byMovie) {
      out.movie[i] = m;
      out.rating[i] = r;
      out.timestamp[i] = t;
      i++;
    }
    this.merged.set(userId, out);
    return out;
  }

  count(userId: number): number {
    const cached = this.merged.get(userId);
    if (cached) return cached.movie.length;
    if (this.live.has(userId)) return this.ratings(userId).movie.length;
    const u = this.dataset.users.index(userId);
    return u < 0 ? 0 : this.start[u + 1] - this.start[u];
  }

  /** Record a rating given at run time. Keeps movie statistics current. */
  add(userId: number, movie: number, rating: number, timestamp: number): void {
    const current = this.ratings(userId);
    let previous = Number.NaN;
    for (let i = 0; i < current.movie.length; i++) {
      if (current.movie[i] === movie) {
        previous = current.rating[i];
        break;
      }
    }
    if (Number.isNaN(previous)) {
      this.movieCount[movie]++;
      this.total++;
    } else {
      this.movieSum[movie] -= previous;
      this.sum -= previous;
      if (previous >= this.threshold) this.movieLikes[movie]--;
    }
    if (rating >= this.threshold) this.movieLikes[movie]++;
    this.movieSum[movie] += rating;
    this.sum += rating;
    let live = this.live.get(userId);
    if (!live) {
      live = new Map();
      this.live.set(userId, live);
    }
    live.set(movie, [rating, timestamp]);
    this.merged.delete(userId);
  }

  /** Mean rating of a movie over dataset + live ratings; NaN when unrated. */
  movieMean(movie: number): number {
    const n = this.movieCount[movie];
    return n > 0 ? this.movieSum[movie] / n : Number.NaN;
  }
}
