/**
 * Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) by weighted ALS: every
 * (user, movie) pair has preference 1 if rated else 0, with confidence c = 1 + alpha * rating
 * ("rating") or 1 + alpha ("binary") on rated pairs and 1 elsewhere; minimises
 *
 *   sum over ALL pairs c (pref - x_u . y_i)^2 + reg (|x_u|^2 + |y_i|^2)
 *
 * using the Y^T Y trick so each half-step costs O(nnz k + n k^2) rather than O(users x movies).
 * Used for recommendation candidates (scores over the catalogue) and item similarities (the
 * movie factors). Shares the ALS engine (worker threads, deterministic for any thread count)
 * with biased MF; the objective recorded per iteration never rises.
 */
import { CinerankError } from "../../core/index.js";
import { choleskyInPlace, choleskySolveInPlace } from "../linear/cholesky.js";
import { type ConfigRule, validateConfig } from "../linear/validate-config.js";
import type { SearchSpace } from "../model.js";
import { AlsEngine } from "./als-engine.js";
import { defaultThreads } from "./default-threads.js";
import type { MfFitContext } from "./biased-mf.js";
import { packModel, unpackModel } from "./pack.js";
import type { RatingTriples } from "./rating-triples.js";

export interface ImplicitMfConfig {
  factors: number;
  reg: number;
  /** Confidence slope: c = 1 + alpha * rating ("rating") or 1 + alpha ("binary"). */
  alpha: number;
  confidence: "rating" | "binary";
  iterations: number;
  solver: "cholesky" | "cg";
  cgSteps: number;
  initStd: number;
  trackLoss: boolean;
}

export const implicitMfDefaults: ImplicitMfConfig = {
  factors: 32,
  reg: 0.1,
  alpha: 10,
  confidence: "binary",
  iterations: 10,
  solver: "cg",
  cgSteps: 3,
  initStd: 0.01,
  trackLoss: true,
};

const rules: { [K in keyof ImplicitMfConfig]: ConfigRule } = {
  factors: { type: "int", min: 1, max: 1024 },
  reg: { type: "float", min: 0 },
  alpha: { type: "float", min: 0 },
  confidence: { type: "choice", values: ["rating", "binary"] },
  iterations: { type: "int", min: 1, max: 10000 },
  solver: { type: "choice", values: ["cholesky", "cg"] },
  cgSteps: { type: "int", min: 1, max: 100 },
  initStd: { type: "float", min: 0 },
  trackLoss: { type: "choice", values: [true, false] },
};

export function implicitMfConfig(partial?: Partial<ImplicitMfConfig>): ImplicitMfConfig {
  return validateConfig("implicit-mf", implicitMfDefaults, rules, partial);
}

export const implicitMfSearchSpace: SearchSpace = {
  random: {
    factors: { type: "int", min: 16, max: 128, log: true },
    reg: { type: "float", min: 0.01, max: 10, log: true },
    alpha: { type: "float", min: 1, max: 100, log: true },
  },
  grid: { factors: [32, 64], alpha: [5, 20, 40] },
};

const FORMAT = "cinerank-implicit-mf";
const VERSION = 1;

/** A fitted implicit MF: user and movie factors (Float32, row-major). */
export class ImplicitMfModel {
  /** Movie factors in the shape recommend/'s ItemVectors expects. */
  readonly items: { dim: number; vectors: Float32Array };

  constructor(
    readonly config: ImplicitMfConfig,
    readonly k: number,
    readonly nUsers: number,
    readonly nMovies: number,
    readonly userFactors: Float32Array,
    readonly movieFactors: Float32Array,
    readonly userCount: Int32Array,
    readonly lossHistory: number[],
  ) {
    this.items = { dim: k, vectors: movieFactors };
  }

  knowsUser(u: number): boolean {
    return u >= 0 && u < this.nUsers && this.userCount[u] > 0;
  }

  /** Factors of a user folded in from the movies they rated (movies fixed). */
  foldInUser(movies: Int32Array, ratings?: Float32Array): Float32Array {
    const k = this.k;
    const Y = this.movieFactors;
    const m = new Float64Array(k * k);
    const b = new Float64Array(k);
    // Y^T Y over all movies, then the rated movies' extra confidence
    for (let i = 0; i < this.nMovies; i++) {
      const o = i * k;
      for (let a = 0; a < k; a++) {
        const ya = Y[o + a];
        for (let c = 0; c <= a; c++) m[a * k + c] += ya * Y[o + c];
      }
    }
    for (let j = 0; j < movies.length; j++) {
      const mv = movies[j];
      if (mv < 0 || mv >= this.nMovies) continue;
      const w =
        this.config.confidence === "binary"
          ? this.config.alpha
          : this.config.alpha * (ratings ? ratings[j] : 1);
      const o = mv * k;
      for (let a = 0; a < k; a++) {
        const ya = Y[o + a];
        b[a] += (1 + w) * ya;
        for (let c = 0; c <= a; c++) m[a * k + c] += w * ya * Y[o + c];
      }
    }
    for (let a = 0; a < k; a++) m[a * k + a] += this.config.reg;
    if (!choleskyInPlace(m, k)) return new Float32Array(k);
    choleskySolveInPlace(m, k, b);
    return Float32Array.from(b);
  }

  /**
   * Preference score of a user for every movie (x_u . y_i), or null for a user the model never
   * saw and who brings no ratings. `ratings` (a live profile) are folded in when given.
   */
  userScores(user: {
    index: number;
    ratings?: { movie: Int32Array; rating: Float32Array };
  }): Float32Array | null {
    const k = this.k;
    let x: Float32Array;
    if (user.ratings) x = this.foldInUser(user.ratings.movie, user.ratings.rating);
    else if (this.knowsUser(user.index))
      x = this.userFactors.subarray(user.index * k, (user.index + 1) * k);
    else return null;
    const out = new Float32Array(this.nMovies);
    const Y = this.movieFactors;
    for (let i = 0; i < this.nMovies; i++) {
      let s = 0;
      const o = i * k;
      for (let c = 0; c < k; c++) s += x[c] * Y[o + c];
      out[i] = s;
    }
    return out;
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
        lossHistory: this.lossHistory,
      },
      { userFactors: this.userFactors, movieFactors: this.movieFactors, userCount: this.userCount },
    );
  }

  static load(bytes: Uint8Array): ImplicitMfModel {
    const { header: h, arrays: a } = unpackModel(bytes, FORMAT, VERSION);
    const k = h.k as number;
    const nU = h.nUsers as number;
    const nM = h.nMovies as number;
    if (a.userFactors?.length !== nU * k || a.movieFactors?.length !== nM * k) {
      throw new CinerankError("ERR_MODEL_FORMAT", `${FORMAT}: array sizes do not match the header`);
    }
    return new ImplicitMfModel(
      implicitMfConfig(h.config as ImplicitMfConfig),
      k,
      nU,
      nM,
      a.userFactors as Float32Array,
      a.movieFactors as Float32Array,
      a.userCount as Int32Array,
      h.lossHistory as number[],
    );
  }
}

/** Fit implicit MF by weighted ALS on who-rated-what (ratings set the confidence). */
export async function fitImplicitMf(
  train: RatingTriples,
  config: Partial<ImplicitMfConfig>,
  ctx: MfFitContext,
): Promise<ImplicitMfModel> {
  const cfg = implicitMfConfig(config);
  if (train.rating.length === 0)
    throw new CinerankError("ERR_DATA_EMPTY", "implicit-mf: no training ratings");
  const k = cfg.factors;
  const engine = new AlsEngine(
    train,
    {
      k,
      explicit: false,
      regFactor: cfg.reg,
      regBias: 0,
      weightedReg: false,
      alpha: cfg.alpha,
      binary: cfg.confidence === "binary",
      cgSteps: cfg.solver === "cg" ? cfg.cgSteps : 0,
      threads: Math.max(1, ctx.threads ?? defaultThreads(train.rating.length)),
      initStd: cfg.initStd,
    },
    ctx.rng,
  );
  const lossHistory = await engine.run(
    cfg.iterations,
    cfg.trackLoss,
    "implicit-mf",
    ctx.onProgress,
  );
  const { U, V, byUser } = engine.shared;
  // factor rows are W >= k wide (padding for the SIMD kernel): keep the first k entries
  const W = engine.W;
  const strip = (X: Float64Array, n: number) => {
    const out = new Float32Array(n * k);
    for (let e = 0; e < n; e++) for (let c = 0; c < k; c++) out[e * k + c] = X[e * W + c];
    return out;
  };
  const userCount = new Int32Array(train.nUsers);
  for (let u = 0; u < train.nUsers; u++) userCount[u] = byUser.ptr[u + 1] - byUser.ptr[u];
  return new ImplicitMfModel(
    cfg,
    k,
    train.nUsers,
    train.nMovies,
    strip(U, train.nUsers),
    strip(V, train.nMovies),
    userCount,
    lossHistory,
  );
}
