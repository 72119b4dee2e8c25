/**
 * ScoringPool: worker threads that score recommendation candidates, so that a server uses every
 * core. Per request the calling (main) thread builds the candidates, the model's side builds
 * their feature rows (a pool given the run's features: in the worker, from the user the request
 * carries, with the ratings of a live profile, so a rating added live reaches every worker with
 * the request; otherwise the main thread builds them and hands them over), predicts P(like) and
 * explains the k best (predict + TreeSHAP), and the main thread turns that into reasons.
 *
 * Scheduling: requests wait in one FIFO queue. A worker takes the next one whenever it has fewer
 * than `depth` in flight (8: it keeps working while the main thread is busy with a burst of
 * requests or a list of its own and cannot hand it more). Deeper also means the main thread
 * scores fewer lists itself, and it scores them less efficiently than the worker (its caches
 * hold HTTP, candidates and reasons too: ~0.75 against ~0.6 ms a list): a server on 2 cores,
 * 50 connections, 6-s runs in adjacent pairs, gave depth 2 / 4 / 8 / 12 ~850 / 1,000-1,150 /
 * 1,050-1,360 / 1,060-1,440 lists/s, server CPU 1.45-1.68 ms a list at depth 4 and 1.28-1.33 at
 * 8 in quiet pairs (the main thread's share 0.80 -> 0.67), p99 ~75 -> ~65 ms. When
 * `local` is on, the main thread scores queued requests itself too, one per event-loop turn
 * (setImmediate), so that workers' replies and new requests are handled between two of them:
 * with one worker fewer than cores, every core works and no more threads are busy than cores.
 * Workers are unref'd: a pool never keeps the process alive; close() stops them.
 *
 * Why this split (measured on ml-latest-small, 2 cores, per-thread CPU from /proc, 8 requests
 * in flight): with every request on the worker, the main thread spends ~0.45 ms a list
 * (candidates, reasons, messages) and the worker ~0.77 (rows, predict, TreeSHAP); all on one
 * thread ~1.2-1.3 ms. The worker's share is the larger, so the main thread must take some
 * scoring itself to even the cores, and doing it for whole queued requests keeps the balance
 * automatic whatever the parts cost. Candidates stay on the main thread: they read the live
 * rating book (live profiles, rating counts for the filters and the popularity top-up), which
 * only the main thread holds. A worker's answer comes back as one transferred buffer
 * (packScored): one allocation and one transfer per request.
 */
import { Worker } from "node:worker_threads";
import { CinerankError } from "../core/index.js";
import type { LikeModel } from "../models/index.js";
import { reasonFeatures } from "./reasons.js";
import { RowsScratch } from "./rows-scratch.js";
import { prepareContributions } from "./row-contributions.js";
import { type Scored, scoreCandidates } from "./score-candidates.js";
import type { PairFeaturizer, ServingUser } from "./types.js";

/**
 * Message to a worker (arrays are transferred): the candidates' feature rows, or — for a pool
 * that knows the run's features — the user, whose rows the worker builds itself.
 */
export interface ScoreRequest {
  id: number;
  rows?: Float32Array;
  user?: ServingUser;
  movies: Int32Array;
  k: number;
}

/**
 * The run's feature pipeline for the workers: its encoded spec + state (feature-codec.ts) and
 * the pair sources it names, from which a worker builds the featurizer (run-featurizer.ts);
 * `featurizer` is the calling thread's, built from the same state, for its own share.
 */
export interface PoolFeatures {
  bytes: Uint8Array;
  pairSources: string[];
  featurizer: PairFeaturizer;
}

/**
 * A worker's answer: P(like) of the n candidates, and for the t best their indices, biases and
 * contribution rows (cols each), packed into one transferred buffer (packScored): one buffer
 * to move and to free per request instead of four arrays.
 */
export type ScoreReply =
  | { id: number; n: number; t: number; buffer: ArrayBuffer }
  | { id: number; error: string };

/** Byte layout of a packed reply: p (f32 x n), values (f32 x t*cols), bias (f64 x t), top (i32 x t). */
function replyLayout(n: number, t: number, cols: number) {
  const values = 4 * n;
  const bias = Math.ceil((values + 4 * t * cols) / 8) * 8;
  const top = bias + 8 * t;
  return { values, bias, top, bytes: top + 4 * t };
}

/** scoreCandidates' result as one buffer (a worker's reply). */
export function packScored(s: Scored, cols: number): { n: number; t: number; buffer: ArrayBuffer } {
  const n = s.p.length;
  const t = s.top.length;
  const at = replyLayout(n, t, cols);
  const buffer = new ArrayBuffer(at.bytes);
  new Float32Array(buffer, 0, n).set(s.p);
  const values = new Float32Array(buffer, at.values, t * cols);
  const bias = new Float64Array(buffer, at.bias, t);
  const top = new Int32Array(buffer, at.top, t);
  for (let i = 0; i < t; i++) {
    values.set(s.contributions[i].values, i * cols);
    bias[i] = s.contributions[i].bias;
    top[i] = s.top[i];
  }
  return { n, t, buffer };
}

/** packScored's buffer back as a Scored (views into the buffer). */
export function unpackScored(n: number, t: number, buffer: ArrayBuffer, cols: number): Scored {
  const at = replyLayout(n, t, cols);
  const bias = new Float64Array(buffer, at.bias, t);
  const top = new Int32Array(buffer, at.top, t);
  const contributions: Scored["contributions"] = new Array(t);
  for (let i = 0; i < t; i++) {
    contributions[i] = {
      bias: bias[i],
      values: new Float32Array(buffer, at.values + 4 * i * cols, cols),
    };
  }
  return { p: new Float32Array(buffer, 0, n), top: Array.from(top), contributions };
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

interface Job {
  rows?: Float32Array;
  user?: ServingUser;
  movies: Int32Array;
  k: number;
  resolve: (s: Scored) => void;
  reject: (e: Error) => void;
}

interface Pending {
  resolve: (s: Scored) => void;
  reject: (e: Error) => void;
  worker: number;
}

export interface ScoringPoolOptions {
  /** Requests a worker holds at once (default 8). */
  depth?: number;
  /** The calling thread scores queued requests too (default true). */
  local?: boolean;
  /** The run's features: workers then build the rows (scoreUser). */
  features?: PoolFeatures;
}

export class ScoringPool {
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private readonly dead: boolean[];
  /**
   * The requests on the workers by slot (a slot is the message id), null when free, and the
   * free slots. Not a Map: with a Map here the main thread moved 2.6-2.9 MB/s of finished
   * requests to the old generation (--trace-gc-nvp; in process, 8 lists in flight, six runs),
   * and a full GC came every second or so; with these arrays 0.4 MB/s and none in 4 s. The
   * likely cause: a Map that entries keep entering and leaving rehashes into a new table every
   * few requests, and an old table the collector has already promoted still points at the
   * requests it held, so the young collector keeps them and all they lead to (the promise, the
   * list built after it) alive until the next full GC. These arrays are overwritten in place.
   */
  private readonly slots: (Pending | null)[] = [];
  private readonly freeSlots: number[] = [];
  private closed = false;
  private readonly cols: number;
  private readonly queue: Job[] = [];
  private readonly depth: number;
  private readonly local: boolean;
  private localScheduled = false;
  private readonly explained: Uint8Array;
  /** Requests scored on the calling thread, and on the workers (for tests and benchmarks). */
  readonly counts = { local: 0, workers: 0 };
  private readonly featurizer: PairFeaturizer | null;
  /** Rows of the request this thread scores (scoreLocally). */
  private readonly rows = new RowsScratch();

  constructor(
    private readonly model: LikeModel,
    threads: number,
    opts: ScoringPoolOptions = {},
  ) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `scoring workers must be >= 1, got ${threads}`,
      );
    }
    this.cols = model.featureNames.length;
    this.depth = opts.depth ?? 8;
    this.local = opts.local ?? true;
    this.explained = reasonFeatures(model.featureNames);
    if (this.local) prepareContributions(model, this.explained);
    const bytes = model.serialize();
    this.featurizer = opts.features?.featurizer ?? null;
    const features = opts.features
      ? { bytes: opts.features.bytes, pairSources: opts.features.pairSources }
      : null;
    const url = new URL("./scoring-worker.js", import.meta.url);
    this.workers = Array.from({ length: threads }, (_, w) => {
      const worker = new Worker(url, { workerData: { family: model.family, bytes, features } });
      worker.unref();
      worker.on("message", (m: ScoreReply) => this.settle(w, m));
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
    return this.enqueue({ rows, movies, k });
  }

  /** True when the pool builds the feature rows itself (it was given the run's features). */
  get buildsRows(): boolean {
    return this.featurizer !== null;
  }

  /**
   * scoreCandidates for the user's rows of `movies`, built where they are scored (needs
   * `features`). Takes ownership of `movies`; the user's ratings are copied to a worker.
   */
  scoreUser(user: ServingUser, movies: Int32Array, k: number): Promise<Scored> {
    if (!this.featurizer) {
      return Promise.reject(new Error("this scoring pool was not given the run's features"));
    }
    return this.enqueue({ user, movies, k });
  }

  private enqueue(req: Pick<Job, "rows" | "user" | "movies" | "k">): Promise<Scored> {
    if (this.closed) {
      return Promise.reject(new CinerankError("ERR_NOT_READY", "the scoring pool is closed"));
    }
    if (!this.local && this.dead.every((d) => d)) {
      return Promise.reject(new Error("every scoring worker has stopped"));
    }
    return new Promise<Scored>((resolve, reject) => {
      this.queue.push({ ...req, resolve, reject });
      this.pump();
    });
  }

  /** Hand queued requests to workers with room; leave the rest to the calling thread. */
  private pump(): void {
    while (this.queue.length > 0) {
      let w = -1;
      for (let i = 0; i < this.workers.length; i++)
        if (!this.dead[i] && (w < 0 || this.inFlight[i] < this.inFlight[w])) w = i;
      if (w < 0 || this.inFlight[w] >= this.depth) break;
      this.send(w, this.queue.shift() as Job);
    }
    if (this.queue.length > 0 && this.local && !this.localScheduled) {
      this.localScheduled = true;
      setImmediate(() => this.scoreLocally());
    }
  }

  private send(w: number, job: Job): void {
    const id = this.freeSlots.pop() ?? this.slots.push(null) - 1;
    this.inFlight[w]++;
    this.counts.workers++;
    this.slots[id] = { resolve: job.resolve, reject: job.reject, worker: w };
    const req: ScoreRequest = { id, rows: job.rows, user: job.user, movies: job.movies, k: job.k };
    this.workers[w].postMessage(
      req,
      job.rows ? transferables(job.rows, job.movies) : transferables(job.movies),
    );
  }

  /** One queued request on this thread, then back to the event loop. */
  private scoreLocally(): void {
    this.localScheduled = false;
    if (this.closed) return;
    const job = this.queue.shift();
    if (job) {
      this.counts.local++;
      try {
        const rows =
          job.rows ??
          (this.featurizer as PairFeaturizer).forUser(
            job.user as ServingUser,
            job.movies,
            this.rows.get(job.movies.length * this.cols),
          );
        job.resolve(scoreCandidates(this.model, rows, job.movies, job.k, this.explained));
      } catch (e) {
        job.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.pump();
  }

  private settle(worker: number, m: ScoreReply): void {
    const p = this.slots[m.id];
    // a slot freed by fail() may hold another worker's request by now
    if (!p || p.worker !== worker) return;
    this.slots[m.id] = null;
    this.freeSlots.push(m.id);
    this.inFlight[worker]--;
    this.pump();
    if ("error" in m) {
      p.reject(new Error(`scoring worker: ${m.error}`));
      return;
    }
    p.resolve(unpackScored(m.n, m.t, m.buffer, this.cols));
  }

  private fail(worker: number, e: Error): void {
    this.dead[worker] = true;
    for (let id = 0; id < this.slots.length; id++) {
      const p = this.slots[id];
      if (!p || p.worker !== worker) continue;
      this.slots[id] = null;
      this.freeSlots.push(id);
      this.inFlight[worker]--;
      p.reject(e);
    }
    if (!this.local && this.dead.every((d) => d)) {
      for (const job of this.queue.splice(0))
        job.reject(new Error("every scoring worker has stopped"));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (let id = 0; id < this.slots.length; id++) {
      this.slots[id]?.reject(new Error("the scoring pool was closed"));
      this.slots[id] = null;
    }
    for (const job of this.queue.splice(0)) job.reject(new Error("the scoring pool was closed"));
  }
}
