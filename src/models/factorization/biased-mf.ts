/**
 * Biased matrix factorisation for explicit ratings, trained by alternating least squares:
 *
 *   rating(u, i) ~ mu + b_u + b_i + p_u . q_i
 *
 * minimising sum (r - prediction)^2 + reg * n_u |p_u|^2 + biasReg * n_u b_u^2 (+ the same for
 * movies with n_i) — the count-weighted "ALS-WR" regularisation, which keeps heavy and light
 * raters on one scale. Each half-step solves every user (then movie) exactly (Cholesky) or with
 * warm-started conjugate gradient (solver "cg", cheaper for large k); both never raise the
 * objective, which `lossHistory` records per iteration. Parallel over worker threads, identical
 * results for any thread count.
 *
 * The fitted model gives rating predictions, the user/movie embeddings and their dot product.
 * A user (movie) without training ratings falls back to mu + the other side's bias.
 */
import { CinerankError, type ProgressReporter, type Rng } from "../../core/index.js";
import { choleskyInPlace, choleskySolveInPlace } from "../linear/cholesky.js";
import { type ConfigRule, validateConfig } from "../linear/validate-config.js";
import type { SearchSpace } from "../model.js";
import { AlsEngine } from "./als-engine.js";
import { defaultThreads } from "./default-threads.js";
import { packModel, unpackModel } from "./pack.js";
import type { RatingTriples } from "./rating-triples.js";

export interface BiasedMfConfig {
  /** Latent factors k. */
  factors: number;
  /** L2 on factors, times the entity's rating count. */
  reg: number;
  /** L2 on biases, times the entity's rating count. */
  biasReg: number;
  iterations: number;
  /** "cholesky": exact per-row solves; "cg": cgSteps conjugate-gradient steps per row. */
  solver: "cholesky" | "cg";
  cgSteps: number;
  /** Std of the random initial factors. */
  initStd: number;
  /** Clip predictions to the training rating range. */
  clip: boolean;
  /** Record the objective after each iteration (one extra pass over the ratings). */
  trackLoss: boolean;
  /** Stop early once an iteration lowers the objective by less than tol of it (0 = never; needs trackLoss). */
  tol: number;
}

export const biasedMfDefaults: BiasedMfConfig = {
  factors: 32,
  reg: 0.1,
  biasReg: 0.1,
  iterations: 15,
  solver: "cg",
  cgSteps: 2,
  initStd: 0.1,
  clip: true,
  trackLoss: true,
  tol: 0,
};

const rules: { [K in keyof BiasedMfConfig]: ConfigRule } = {
  factors: { type: "int", min: 1, max: 1024 },
  reg: { type: "float", min: 0 },
  biasReg: { type: "float", min: 0 },
  iterations: { type: "int", min: 1, max: 10000 },
  solver: { type: "choice", values: ["cholesky", "cg"] },
  cgSteps: { type: "int", min: 1, max: 100 },
  initStd: { type: "float", min: 0 },
  clip: { type: "choice", values: [true, false] },
  trackLoss: { type: "choice", values: [true, false] },
  tol: { type: "float", min: 0, max: 1 },
};

/** Validate and default a partial biased-MF config (throws ERR_INVALID_CONFIG). */
export function biasedMfConfig(partial?: Partial<BiasedMfConfig>): BiasedMfConfig {
  return validateConfig("biased-mf", biasedMfDefaults, rules, partial);
}

export const biasedMfSearchSpace: SearchSpace = {
  random: {
    factors: { type: "int", min: 8, max: 128, log: true },
    reg: { type: "float", min: 0.01, max: 0.3, log: true },
    biasReg: { type: "float", min: 0.01, max: 0.3, log: true },
    iterations: { type: "int", min: 5, max: 30 },
  },
  grid: { factors: [16, 32, 64], reg: [0.03, 0.05, 0.1] },
};

export interface MfFitContext {
  rng: Rng;
  onProgress?: ProgressReporter;
  /** Worker threads (default: available cores; 1 = in-process). */
  threads?: number;
}

const FORMAT = "cinerank-biased-mf";
const VERSION = 1;

/** A fitted biased MF model (prediction state: Float32 rows, no training buffers). */
export class BiasedMfModel {
  constructor(
    readonly config: BiasedMfConfig,
    readonly k: number,
    readonly nUsers: number,
    readonly nMovies: number,
    readonly mu: number,
    readonly minRating: number,
    readonly maxRating: number,
    /** nUsers x k, row-major. */
    readonly userFactors: Float32Array,
    /** nMovies x k, row-major. */
    readonly movieFactors: Float32Array,
    readonly userBias: Float32Array,
    readonly movieBias: Float32Array,
    /** Training ratings per user / movie (0 = unknown to the model). */
    readonly userCount: Int32Array,
    readonly movieCount: Int32Array,
    /** Objective after each iteration (empty when trackLoss was off). */
    readonly lossHistory: number[],
  ) {}

  knowsUser(u: number): boolean {
    return u >= 0 && u < this.nUsers && this.userCount[u] > 0;
  }

  knowsMovie(m: number): boolean {
    return m >= 0 && m < this.nMovies && this.movieCount[m] > 0;
  }

  /** p_u . q_i, or 0 when either side is unknown. */
  dot(u: number, m: number): number {
    if (!this.knowsUser(u) || !this.knowsMovie(m)) return 0;
    const k = this.k;
    const uo = u * k;
    const mo = m * k;
    let s = 0;
    for (let c = 0; c < k; c++) s += this.userFactors[uo + c] * this.movieFactors[mo + c];
    return s;
  }

  /** Predicted rating of (u, m); unknown sides contribute nothing beyond mu. */
  predict(u: number, m: number): number {
    let p = this.mu + this.dot(u, m);
    if (this.knowsUser(u)) p += this.userBias[u];
    if (this.knowsMovie(m)) p += this.movieBias[m];
    if (this.config.clip) p = Math.min(this.maxRating, Math.max(this.minRating, p));
    return p;
  }

  /**
   * predict(u, m) into out[o] and dot(u, m) into out[o + 1], the dot product computed once (the
   * feature source writes both for every pair of a training matrix).
   */
  predictAndDot(u: number, m: number, out: Float32Array, o: number): void {
    const d = this.dot(u, m);
    let p = this.mu + d;
    if (this.knowsUser(u)) p += this.userBias[u];
    if (this.knowsMovie(m)) p += this.movieBias[m];
    if (this.config.clip) p = Math.min(this.maxRating, Math.max(this.minRating, p));
    out[o] = p;
    out[o + 1] = d;
  }

  /**
   * predictAndDot(u, movies[i], out, i * stride + offset) for every i — one user's candidates
   * in one pass, the user's side looked up once (same sums in the same order: same values).
   */
  predictAndDotUser(
    u: number,
    movies: Int32Array,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void {
    const { mu, movieBias, movieCount, nMovies, minRating, maxRating } = this;
    const known = this.knowsUser(u);
    const bias = known ? this.userBias[u] : 0;
    const dots = this.candidateDots(
      known ? this.userFactors.subarray(u * this.k, (u + 1) * this.k) : null,
      movies,
    );
    const clip = this.config.clip;
    for (let i = 0; i < movies.length; i++) {
      const m = movies[i];
      const d = dots[i];
      let p = mu + d;
      if (known) p += bias;
      if (m >= 0 && m < nMovies && movieCount[m] > 0) p += movieBias[m];
      if (clip) p = Math.min(maxRating, Math.max(minRating, p));
      const o = i * stride + offset;
      out[o] = p;
      out[o + 1] = d;
    }
  }

  private dotScratch = new Float64Array(0);

  /**
   * dot(user, movies[i]) for every i into a scratch array (valid until the next call): the
   * float64 sum over factors in order for a known movie, 0 for an unknown one or a null user.
   * Four candidates are summed side by side — four independent chains of additions instead of
   * one waiting on the last — each in its own order, so every sum is the same as alone.
   */
  private candidateDots(uf: Float32Array | null, movies: Int32Array): Float64Array {
    const n = movies.length;
    if (this.dotScratch.length < n) this.dotScratch = new Float64Array(n);
    const dots = this.dotScratch;
    if (!uf) {
      dots.fill(0, 0, n);
      return dots;
    }
    const { k, movieFactors: mf, movieCount, nMovies } = this;
    // an unknown movie reads row 0 (any row) and its sum is dropped
    const row = (m: number) => (m >= 0 && m < nMovies && movieCount[m] > 0 ? m * k : -1);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o0 = row(movies[i]);
      const o1 = row(movies[i + 1]);
      const o2 = row(movies[i + 2]);
      const o3 = row(movies[i + 3]);
      const a0 = Math.max(o0, 0);
      const a1 = Math.max(o1, 0);
      const a2 = Math.max(o2, 0);
      const a3 = Math.max(o3, 0);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let c = 0; c < k; c++) {
        const x = uf[c];
        s0 += x * mf[a0 + c];
        s1 += x * mf[a1 + c];
        s2 += x * mf[a2 + c];
        s3 += x * mf[a3 + c];
      }
      dots[i] = o0 < 0 ? 0 : s0;
      dots[i + 1] = o1 < 0 ? 0 : s1;
      dots[i + 2] = o2 < 0 ? 0 : s2;
      dots[i + 3] = o3 < 0 ? 0 : s3;
    }
    for (; i < n; i++) {
      const o = row(movies[i]);
      let s = 0;
      if (o >= 0) for (let c = 0; c < k; c++) s += uf[c] * mf[o + c];
      dots[i] = s;
    }
    return dots;
  }

  predictMany(users: Int32Array, movies: Int32Array): Float32Array {
    const out = new Float32Array(users.length);
    for (let i = 0; i < users.length; i++) out[i] = this.predict(users[i], movies[i]);
    return out;
  }

  /**
   * Fold a user in from ratings (a live or new profile) with the movies fixed: the same
   * regularised least squares the ALS user step solves. Movies unknown to the model are ignored;
   * with none left the user gets zero factors and bias.
   */
  foldInUser(movies: Int32Array, ratings: Float32Array): { factors: Float32Array; bias: number } {
    const k = this.k;
    const d = k + 1;
    const m = new Float64Array(d * d);
    const b = new Float64Array(d);
    const a = new Float64Array(d);
    let n = 0;
    for (let j = 0; j < movies.length; j++) {
      const mv = movies[j];
      if (!this.knowsMovie(mv)) continue;
      n++;
      for (let c = 0; c < k; c++) a[c] = this.movieFactors[mv * k + c];
      a[k] = 1;
      const t = ratings[j] - this.mu - this.movieBias[mv];
      for (let i = 0; i < d; i++) {
        b[i] += t * a[i];
        for (let c = 0; c <= i; c++) m[i * d + c] += a[i] * a[c];
      }
    }
    if (n === 0) return { factors: new Float32Array(k), bias: 0 };
    for (let c = 0; c < k; c++) m[c * d + c] += this.config.reg * n;
    m[k * d + k] += this.config.biasReg * n;
    if (!choleskyInPlace(m, d)) return { factors: new Float32Array(k), bias: 0 };
    choleskySolveInPlace(m, d, b);
    return { factors: Float32Array.from(b.subarray(0, k)), bias: b[k] };
  }

  /**
   * Predicted rating and dot product of movies[i] for a folded-in user (see foldInUser) into
   * out[i * stride + offset] and the next column.
   */
  predictFoldedUser(
    user: { factors: Float32Array; bias: number },
    movies: Int32Array,
    out: Float32Array,
    stride: number,
    offset: number,
  ): void {
    const { mu, movieBias, movieCount, nMovies, minRating, maxRating } = this;
    const dots = this.candidateDots(user.factors, movies);
    const clip = this.config.clip;
    for (let i = 0; i < movies.length; i++) {
      const m = movies[i];
      const dot = dots[i];
      let p = mu + user.bias;
      if (m >= 0 && m < nMovies && movieCount[m] > 0) p += movieBias[m] + dot;
      if (clip) p = Math.min(maxRating, Math.max(minRating, p));
      const o = i * stride + offset;
      out[o] = p;
      out[o + 1] = dot;
    }
  }

  userEmbedding(u: number): Float32Array {
    return this.userFactors.subarray(u * this.k, (u + 1) * this.k);
  }

  movieEmbedding(m: number): Float32Array {
    return this.movieFactors.subarray(m * this.k, (m + 1) * this.k);
  }

  serialize(): Uint8Array {
    return packModel(
      {
        format: FORMAT,
        version: VERSION,
        config: this.config,
        k: this.k,
        nUsers: this.nUsers,
        nMovies: this.nMovies,
        mu: this.mu,
        minRating: this.minRating,
        maxRating: this.maxRating,
        lossHistory: this.lossHistory,
      },
      {
        userFactors: this.userFactors,
        movieFactors: this.movieFactors,
        userBias: this.userBias,
        movieBias: this.movieBias,
        userCount: this.userCount,
        movieCount: this.movieCount,
      },
    );
  }

  static load(bytes: Uint8Array): BiasedMfModel {
    const { header: h, arrays: a } = unpackModel(bytes, FORMAT, VERSION);
    const k = h.k as number;
    const nU = h.nUsers as number;
    const nM = h.nMovies as number;
    if (
      a.userFactors?.length !== nU * k ||
      a.movieFactors?.length !== nM * k ||
      a.userBias?.length !== nU ||
      a.movieBias?.length !== nM
    ) {
      throw new CinerankError("ERR_MODEL_FORMAT", `${FORMAT}: array sizes do not match the header`);
    }
    return new BiasedMfModel(
      biasedMfConfig(h.config as BiasedMfConfig),
      k,
      nU,
      nM,
      h.mu as number,
      h.minRating as number,
      h.maxRating as number,
      a.userFactors as Float32Array,
      a.movieFactors as Float32Array,
      a.userBias as Float32Array,
      a.movieBias as Float32Array,
      a.userCount as Int32Array,
      a.movieCount as Int32Array,
      h.lossHistory as number[],
    );
  }
}

/** Fit biased MF by ALS on `train`. */
export async function fitBiasedMf(
  train: RatingTriples,
  config: Partial<BiasedMfConfig>,
  ctx: MfFitContext,
): Promise<BiasedMfModel> {
  const cfg = biasedMfConfig(config);
  if (train.rating.length === 0)
    throw new CinerankError("ERR_DATA_EMPTY", "biased-mf: no training ratings");
  const k = cfg.factors;
  const threads = Math.max(1, ctx.threads ?? defaultThreads(train.rating.length));
  const engine = new AlsEngine(
    train,
    {
      k,
      explicit: true,
      regFactor: cfg.reg,
      regBias: cfg.biasReg,
      weightedReg: true,
      alpha: 0,
      binary: false,
      cgSteps: cfg.solver === "cg" ? cfg.cgSteps : 0,
      threads,
      initStd: cfg.initStd,
    },
    ctx.rng,
  );
  const lossHistory = await engine.run(
    cfg.iterations,
    cfg.trackLoss,
    "biased-mf",
    ctx.onProgress,
    cfg.trackLoss ? cfg.tol : 0,
  );
  const { nUsers, nMovies } = train;
  const W = engine.W;
  const { U, V, byUser, byMovie } = engine.shared;
  const userFactors = new Float32Array(nUsers * k);
  const movieFactors = new Float32Array(nMovies * k);
  const userBias = new Float32Array(nUsers);
  const movieBias = new Float32Array(nMovies);
  const userCount = new Int32Array(nUsers);
  const movieCount = new Int32Array(nMovies);
  for (let u = 0; u < nUsers; u++) {
    for (let c = 0; c < k; c++) userFactors[u * k + c] = U[u * W + c];
    userBias[u] = U[u * W + k];
    userCount[u] = byUser.ptr[u + 1] - byUser.ptr[u];
  }
  for (let m = 0; m < nMovies; m++) {
    for (let c = 0; c < k; c++) movieFactors[m * k + c] = V[m * W + c];
    movieBias[m] = V[m * W + k + 1];
    movieCount[m] = byMovie.ptr[m + 1] - byMovie.ptr[m];
  }
  let minRating = Number.POSITIVE_INFINITY;
  let maxRating = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < train.rating.length; i++) {
    const r = train.rating[i];
    if (r < minRating) minRating = r;
    if (r > maxRating) maxRating = r;
  }
  return new BiasedMfModel(
    cfg,
    k,
    nUsers,
    nMovies,
    engine.mu,
    minRating,
    maxRating,
    userFactors,
    movieFactors,
    userBias,
    movieBias,
    userCount,
    movieCount,
    lossHistory,
  );
}
