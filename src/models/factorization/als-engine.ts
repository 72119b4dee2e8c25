/**
 * The ALS driver shared by biased (explicit) and implicit MF: builds the two CSR views of the
 * ratings and the factor matrices in SharedArrayBuffers, then alternates half-steps (all users,
 * then all movies). With threads > 1 the half-steps run in worker threads (als-worker.ts) that
 * pull chunks of entities from a shared atomic counter; since each entity's solve reads only the
 * fixed side and its own row, the result is identical for any thread count and scheduling.
 *
 *   shared: byUser CSR, byMovie CSR, U (nUsers x W), V (nMovies x W), userLoss, movieLoss,
 *           gram (k x k, implicit), counter (Int32[1])
 */
import { Worker } from "node:worker_threads";
import type { ProgressReporter, Rng } from "../../core/index.js";
import {
  alsHalfStep,
  type HalfStepBuffers,
  type HalfStepParams,
  HalfStepScratch,
} from "./als-kernel.js";
import type { RatingTriples } from "./rating-triples.js";
import { buildSparseRows, type SparseRows } from "./sparse-rows.js";

export interface AlsSettings {
  k: number;
  explicit: boolean;
  regFactor: number;
  regBias: number;
  weightedReg: boolean;
  alpha: number;
  binary: boolean;
  cgSteps: number;
  threads: number;
  /** Std of the initial factor entries. */
  initStd: number;
}

export interface AlsShared {
  byUser: SparseRows;
  byMovie: SparseRows;
  U: Float64Array;
  V: Float64Array;
  userLoss: Float64Array;
  movieLoss: Float64Array;
  gram: Float64Array;
  counter: Int32Array;
}

export interface WorkerJob {
  side: 0 | 1;
  prm: HalfStepParams;
  chunk: number;
}

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));
}

/** Half-step buffers for a side (0 = users, 1 = movies) over the shared state. */
export function sideBuffers(sh: AlsShared, side: 0 | 1, implicit: boolean): HalfStepBuffers {
  return side === 0
    ? { rows: sh.byUser, X: sh.U, Y: sh.V, gram: implicit ? sh.gram : null, loss: sh.userLoss }
    : { rows: sh.byMovie, X: sh.V, Y: sh.U, gram: implicit ? sh.gram : null, loss: sh.movieLoss };
}

export class AlsEngine {
  readonly shared: AlsShared;
  readonly W: number;
  readonly mu: number;
  private readonly workers: Worker[] = [];
  private readonly scratch: HalfStepScratch;

  constructor(
    readonly data: RatingTriples,
    readonly s: AlsSettings,
    rng: Rng,
  ) {
    const { nUsers, nMovies } = data;
    this.W = s.explicit ? s.k + 2 : s.k;
    let sum = 0;
    for (let i = 0; i < data.rating.length; i++) sum += data.rating[i];
    this.mu = s.explicit && data.rating.length > 0 ? sum / data.rating.length : 0;
    const U = sharedF64(nUsers * this.W);
    const V = sharedF64(nMovies * this.W);
    const W = this.W;
    const k = s.k;
    for (let u = 0; u < nUsers; u++) {
      for (let c = 0; c < k; c++) U[u * W + c] = s.initStd * rng.normal();
      if (s.explicit) U[u * W + k + 1] = 1;
    }
    for (let m = 0; m < nMovies; m++) {
      for (let c = 0; c < k; c++) V[m * W + c] = s.initStd * rng.normal();
      if (s.explicit) V[m * W + k] = 1;
    }
    this.shared = {
      byUser: buildSparseRows(nUsers, data.user, data.movie, data.rating),
      byMovie: buildSparseRows(nMovies, data.movie, data.user, data.rating),
      U,
      V,
      userLoss: sharedF64(nUsers),
      movieLoss: sharedF64(nMovies),
      gram: sharedF64(k * k),
      counter: new Int32Array(new SharedArrayBuffer(4)),
    };
    this.scratch = new HalfStepScratch(s.explicit ? k + 1 : k);
    if (s.threads > 1) {
      for (let i = 0; i < s.threads; i++) {
        this.workers.push(
          new Worker(new URL("./als-worker.js", import.meta.url), { workerData: this.shared }),
        );
      }
    }
  }

  private params(side: 0 | 1, lossMode: number): HalfStepParams {
    const k = this.s.k;
    return {
      k,
      W: this.W,
      explicit: this.s.explicit,
      mu: this.mu,
      biasPos: side === 0 ? k : k + 1,
      constPos: side === 0 ? k + 1 : k,
      regFactor: this.s.regFactor,
      regBias: this.s.regBias,
      weightedReg: this.s.weightedReg,
      alpha: this.s.alpha,
      binary: this.s.binary,
      cgSteps: this.s.cgSteps,
      lossMode,
    };
  }

  /** Y^T Y of the fixed side into shared.gram (implicit MF only). */
  private computeGram(Y: Float64Array, n: number): void {
    const k = this.s.k;
    const g = this.shared.gram;
    g.fill(0);
    for (let e = 0; e < n; e++) {
      const o = e * k;
      for (let i = 0; i < k; i++) {
        const yi = Y[o + i];
        if (yi === 0) continue;
        const ro = i * k;
        for (let c = 0; c <= i; c++) g[ro + c] += yi * Y[o + c];
      }
    }
    for (let i = 0; i < k; i++) for (let c = 0; c < i; c++) g[c * k + i] = g[i * k + c];
  }

  /** Solve every row of one side. */
  async halfStep(side: 0 | 1, lossMode: number): Promise<void> {
    const sh = this.shared;
    if (!this.s.explicit) {
      if (side === 0) this.computeGram(sh.V, this.data.nMovies);
      else this.computeGram(sh.U, this.data.nUsers);
    }
    const prm = this.params(side, lossMode);
    const n = side === 0 ? this.data.nUsers : this.data.nMovies;
    if (this.workers.length === 0) {
      alsHalfStep(prm, sideBuffers(sh, side, !this.s.explicit), 0, n, this.scratch);
      return;
    }
    Atomics.store(sh.counter, 0, 0);
    // small chunks balance the skewed movie degrees; the counter makes them cheap to hand out
    const job: WorkerJob = { side, prm, chunk: side === 0 ? 64 : 16 };
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onMsg = (m: { ok: boolean; error?: string }) => {
              w.off("error", onErr);
              if (m.ok) resolve();
              else reject(new Error(`ALS worker failed: ${m.error}`));
            };
            const onErr = (e: Error) => {
              w.off("message", onMsg);
              reject(e);
            };
            w.once("message", onMsg);
            w.once("error", onErr);
            w.postMessage(job);
          }),
      ),
    );
  }

  /**
   * One ALS iteration (users, then movies). Returns the objective after it when `withLoss`
   * (sum of squared errors + regularisation; implicit: the confidence-weighted loss over all
   * pairs), else NaN.
   */
  async iterate(withLoss: boolean): Promise<number> {
    await this.halfStep(0, withLoss ? 1 : 0);
    await this.halfStep(1, withLoss ? 2 : 0);
    if (!withLoss) return Number.NaN;
    // summed in index order on one thread, so the value does not depend on the thread count
    let total = 0;
    const { userLoss, movieLoss } = this.shared;
    for (let u = 0; u < this.data.nUsers; u++) total += userLoss[u];
    for (let m = 0; m < this.data.nMovies; m++) total += movieLoss[m];
    return total;
  }

  /**
   * Runs `iterations` ALS iterations, reporting each as progress of `stage`, then frees the
   * workers (also on failure). Returns the loss after each iteration when `trackLoss`.
   */
  async run(
    iterations: number,
    trackLoss: boolean,
    stage: string,
    onProgress?: ProgressReporter,
  ): Promise<number[]> {
    const lossHistory: number[] = [];
    try {
      for (let it = 0; it < iterations; it++) {
        const loss = await this.iterate(trackLoss);
        if (trackLoss) lossHistory.push(loss);
        onProgress?.({
          stage,
          done: it + 1,
          total: iterations,
          unit: "iterations",
          message: trackLoss ? `loss ${loss.toFixed(1)}` : undefined,
        });
      }
    } finally {
      await this.close();
    }
    return lossHistory;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
