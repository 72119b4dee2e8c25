/**
 * ScoringPool: worker threads that score recommendation candidates, so that a server uses every
 * core. Per request the main thread builds candidates and their feature rows (cheap, and it
 * holds the live ratings), a worker predicts P(like) for the rows and explains the k best
 * (predict + TreeSHAP: most of a request's CPU), and the main thread turns that into reasons.
 * Workers hold only the model, so a rating added live reaches every worker through the rows.
 * A request goes to the worker with the fewest requests in flight. Workers are unref'd: a pool
 * never keeps the process alive; close() stops them.
 */
import { Worker } from "node:worker_threads";
import { CinerankError } from "../core/index.js";
import type { LikeModel } from "../models/index.js";
import type { Contributions } from "./types.js";

/** Message to a worker (rows and movies are transferred). */
export interface ScoreRequest {
  id: number;
  rows: Float32Array;
  movies: Int32Array;
  k: number;
}

export type ScoreReply =
  | { id: number; p: Float32Array; top: Int32Array; bias: Float64Array; values: Float32Array }
  | { id: number; error: string };

export interface Scored {
  p: Float32Array;
  /** Indices into the candidates of the k best, best first. */
  top: number[];
  /** Contributions of the k best, in `top` order. */
  contributions: Contributions[];
}

/** Buffers that can move to another thread rather than be copied (whole, unshared). */
export function transferables(...views: ArrayBufferView[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const v of views) {
    const b = v.buffer;
    if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength)
      out.push(b);
  }
  return out;
}

interface Pending {
  resolve: (s: Scored) => void;
  reject: (e: Error) => void;
  worker: number;
}

export class ScoringPool {
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private readonly dead: boolean[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private readonly cols: number;

  constructor(model: LikeModel, threads: number) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `scoring workers must be >= 1, got ${threads}`,
      );
    }
    this.cols = model.featureNames.length;
    const bytes = model.serialize();
    const url = new URL("./scoring-worker.js", import.meta.url);
    this.workers = Array.from({ length: threads }, (_, w) => {
      const worker = new Worker(url, { workerData: { family: model.family, bytes } });
      worker.unref();
      worker.on("message", (m: ScoreReply) => this.settle(m));
      worker.on("error", (e) => this.fail(w, e));
      worker.on("exit", (code) => {
        if (!this.closed) this.fail(w, new Error(`scoring worker exited with code ${code}`));
      });
      return worker;
    });
    this.inFlight = new Array(threads).fill(0);
    this.dead = new Array(threads).fill(false);
  }

  get size(): number {
    return this.workers.length;
  }

  /** P(like) of `movies.length` rows, and the k best explained. Takes ownership of the arrays. */
  score(rows: Float32Array, movies: Int32Array, k: number): Promise<Scored> {
    if (this.closed) {
      return Promise.reject(new CinerankError("ERR_NOT_READY", "the scoring pool is closed"));
    }
    let w = -1;
    for (let i = 0; i < this.workers.length; i++)
      if (!this.dead[i] && (w < 0 || this.inFlight[i] < this.inFlight[w])) w = i;
    if (w < 0) return Promise.reject(new Error("every scoring worker has stopped"));
    const id = this.nextId++;
    this.inFlight[w]++;
    const req: ScoreRequest = { id, rows, movies, k };
    return new Promise<Scored>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      this.workers[w].postMessage(req, transferables(rows, movies));
    });
  }

  private settle(m: ScoreReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    this.inFlight[p.worker]--;
    if ("error" in m) {
      p.reject(new Error(`scoring worker: ${m.error}`));
      return;
    }
    const cols = this.cols;
    p.resolve({
      p: m.p,
      top: Array.from(m.top),
      contributions: Array.from(m.top, (_, i) => ({
        bias: m.bias[i],
        values: m.values.subarray(i * cols, (i + 1) * cols),
      })),
    });
  }

  private fail(worker: number, e: Error): void {
    this.dead[worker] = true;
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      this.inFlight[worker]--;
      p.reject(e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.pending.values()) p.reject(new Error("the scoring pool was closed"));
    this.pending.clear();
  }
}
