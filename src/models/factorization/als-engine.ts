/**
 * The ALS driver shared by biased (explicit) and implicit MF: builds the two CSR views of the
 * ratings and the factor matrices in SharedArrayBuffers, then alternates half-steps (all users,
 * then all movies). With threads > 1 the half-steps run in worker threads (als-worker.ts) that
 * pull chunks of entities from a shared atomic counter; since each entity's solve reads only the
 * fixed side and its own row, the result is identical for any thread count and scheduling.
 *
 * The CG solver runs on the WebAssembly SIMD kernel (als-wasm-kernel.ts) when the runtime has
 * it and the data fit a 4 GiB wasm32 memory: the factor matrices and CSR index/value arrays are
 * then allocated inside one shared WebAssembly.Memory (plus a scratch slot per thread) instead
 * of separate SharedArrayBuffers. Otherwise, and for the exact (Cholesky) solver, the scalar
 * JavaScript kernel (als-kernel.ts) runs on the same arrays. Rows are W doubles, W = k (+2 for
 * the biased layout) rounded up to a multiple of 4; the padding stays 0.
 *
 *   shared: byUser CSR, byMovie CSR, U (nUsers x W), V (nMovies x W), userLoss, movieLoss,
 *           gram (k x k, implicit), counter (Int32[1]), memory + slot layout (wasm kernel)
 */
import { Worker } from "node:worker_threads";
import type { ProgressReporter, Rng } from "../../core/index.js";
import {
  alsHalfStep,
  type HalfStepBuffers,
  type HalfStepParams,
  HalfStepScratch,
} from "./als-kernel.js";
import { AlsWasmThread, alsWasmModule, SLOT_VECTORS } from "./als-wasm-kernel.js";
import type { RatingTriples } from "./rating-triples.js";
import { buildSparseRows, type SparseRows } from "./sparse-rows.js";
import { MAX_PAGES, type WasmApi, type WasmMemory, wasmApi } from "../wasm-assembler.js";

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
  /** "js" forces the scalar JavaScript kernel for CG too (tests compare the two kernels). */
  kernel?: "auto" | "js";
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
  /** The wasm kernel's memory (null: JavaScript kernel), its per-thread slots (slot 0 = main). */
  memory: WasmMemory | null;
  slotBase: number;
  slotBytes: number;
}

/** Per-worker start-up data: the shared state plus the worker's scratch slot. */
export interface WorkerInit {
  shared: AlsShared;
  slot: number;
}

export interface WorkerJob {
  side: 0 | 1;
  prm: HalfStepParams;
  chunk: number;
}

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));
}

/** Row width: k (+2 for the biased layout) rounded up to whole f64x2 pairs of pairs. */
export function alsRowWidth(k: number, explicit: boolean): number {
  return Math.ceil((explicit ? k + 2 : k) / 4) * 4;
}

interface Placement {
  memory: WasmMemory | null;
  U: Float64Array;
  V: Float64Array;
  slotBase: number;
  slotBytes: number;
  byUser?: { idx: Int32Array; val: Float32Array };
  byMovie?: { idx: Int32Array; val: Float32Array };
}

/**
 * Allocate U, V and the CSR idx/val arrays inside one shared wasm memory when the CG kernel
 * can run there, else as plain SharedArrayBuffers.
 */
function place(nUsers: number, nMovies: number, nnz: number, W: number, s: AlsSettings): Placement {
  const slotBytes = SLOT_VECTORS * W * 8;
  const align = (x: number) => Math.ceil(x / 64) * 64;
  let off = 0;
  const at = (bytes: number) => {
    const o = off;
    off = align(off + Math.max(bytes, 8));
    return o;
  };
  const slots = at((Math.max(1, s.threads) + 1) * slotBytes);
  const uOff = at(nUsers * W * 8);
  const vOff = at(nMovies * W * 8);
  const parts = [at(nnz * 4), at(nnz * 4), at(nnz * 4), at(nnz * 4)];
  const pages = Math.ceil(off / 65536);
  if (s.cgSteps > 0 && s.kernel !== "js" && pages <= MAX_PAGES && alsWasmModule()) {
    try {
      const memory = new (wasmApi as WasmApi).Memory({
        initial: pages,
        maximum: pages,
        shared: true,
      });
      const buf = memory.buffer;
      return {
        memory,
        U: new Float64Array(buf, uOff, nUsers * W),
        V: new Float64Array(buf, vOff, nMovies * W),
        slotBase: slots,
        slotBytes,
        byUser: {
          idx: new Int32Array(buf, parts[0], nnz),
          val: new Float32Array(buf, parts[1], nnz),
        },
        byMovie: {
          idx: new Int32Array(buf, parts[2], nnz),
          val: new Float32Array(buf, parts[3], nnz),
        },
      };
    } catch {
      // allocation refused (address space, limits): fall through to the JavaScript kernel
    }
  }
  return {
    memory: null,
    U: sharedF64(nUsers * W),
    V: sharedF64(nMovies * W),
    slotBase: 0,
    slotBytes,
  };
}

/** Half-step buffers for a side (0 = users, 1 = movies) over the shared state. */
export function sideBuffers(sh: AlsShared, side: 0 | 1, implicit: boolean): HalfStepBuffers {
  return side === 0
    ? { rows: sh.byUser, X: sh.U, Y: sh.V, gram: implicit ? sh.gram : null, loss: sh.userLoss }
    : { rows: sh.byMovie, X: sh.V, Y: sh.U, gram: implicit ? sh.gram : null, loss: sh.movieLoss };
}

/** Solve [from, to) with the wasm CG kernel when this thread has one, else the JS kernel. */
export function runRange(
  prm: HalfStepParams,
  buf: HalfStepBuffers,
  from: number,
  to: number,
  scratch: HalfStepScratch,
  wasm: AlsWasmThread | null,
): void {
  if (wasm && prm.cgSteps > 0) {
    wasm.halfStep(prm, buf.rows, buf.X, buf.Y, buf.gram, buf.loss, from, to);
  } else {
    alsHalfStep(prm, buf, from, to, scratch);
  }
}

export class AlsEngine {
  readonly shared: AlsShared;
  readonly W: number;
  readonly mu: number;
  private readonly workers: Worker[] = [];
  private readonly scratch: HalfStepScratch;
  private readonly wasm: AlsWasmThread | null;

  constructor(
    readonly data: RatingTriples,
    readonly s: AlsSettings,
    rng: Rng,
  ) {
    const { nUsers, nMovies } = data;
    this.W = alsRowWidth(s.k, s.explicit);
    let sum = 0;
    for (let i = 0; i < data.rating.length; i++) sum += data.rating[i];
    this.mu = s.explicit && data.rating.length > 0 ? sum / data.rating.length : 0;
    const placed = place(nUsers, nMovies, data.rating.length, this.W, s);
    const { U, V } = placed;
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
      byUser: buildSparseRows(nUsers, data.user, data.movie, data.rating, placed.byUser),
      byMovie: buildSparseRows(nMovies, data.movie, data.user, data.rating, placed.byMovie),
      U,
      V,
      userLoss: sharedF64(nUsers),
      movieLoss: sharedF64(nMovies),
      gram: sharedF64(k * k),
      counter: new Int32Array(new SharedArrayBuffer(4)),
      memory: placed.memory,
      slotBase: placed.slotBase,
      slotBytes: placed.slotBytes,
    };
    this.scratch = new HalfStepScratch(s.explicit ? k + 1 : k);
    this.wasm = placed.memory ? new AlsWasmThread(placed.memory, placed.slotBase, this.W) : null;
    if (s.threads > 1) {
      for (let i = 0; i < s.threads; i++) {
        const init: WorkerInit = { shared: this.shared, slot: i + 1 };
        this.workers.push(
          new Worker(new URL("./als-worker.js", import.meta.url), { workerData: init }),
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
      const o = e * this.W;
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
      runRange(prm, sideBuffers(sh, side, !this.s.explicit), 0, n, this.scratch, this.wasm);
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
  /**
   * Up to `iterations` ALS iterations. With trackLoss and tol > 0, stops once an iteration lowers
   * the objective by less than tol of its value: the last iterations of a converged fit move the
   * factors by less than their effect on anything downstream, at full cost each.
   */
  async run(
    iterations: number,
    trackLoss: boolean,
    stage: string,
    onProgress?: ProgressReporter,
    tol = 0,
  ): Promise<number[]> {
    const lossHistory: number[] = [];
    try {
      for (let it = 0; it < iterations; it++) {
        const loss = await this.iterate(trackLoss);
        const prev = lossHistory.length > 0 ? lossHistory[lossHistory.length - 1] : Number.NaN;
        if (trackLoss) lossHistory.push(loss);
        if (tol > 0 && prev - loss < tol * Math.abs(prev)) {
          onProgress?.({
            stage,
            done: iterations,
            total: iterations,
            unit: "iterations",
            message: `converged after ${it + 1} (loss ${loss.toFixed(1)})`,
          });
          break;
        }
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
