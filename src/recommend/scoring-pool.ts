/**
 * ScoringPool: worker threads that score recommendation candidates, so that a server uses every
 * core. Per request the calling (main) thread builds the candidates, the model's side builds
 * their feature rows (a pool given the run's features: in the worker, from the user the request
 * carries, with the ratings of a live profile, so a rating added live reaches every worker with
 * the request; otherwise the main thread builds them and hands them over), predicts P(like) and
 * explains the k best (predict + TreeSHAP), and the main thread turns that into reasons.
 *
 * Scheduling: a request goes to the least busy worker at once (up to `depth` each, 64), and
 * the worker takes its requests in order. When `local` is on and at least `stealAt` requests
 * (16) wait that no thread has started, the calling thread takes the oldest of them itself, one
 * per event-loop turn (setImmediate, so workers' replies and new requests are handled between
 * two of them). Both sides claim a request through a shared slot (Atomics.compareExchange on
 * its ticket), so each is scored exactly once: a worker skips a message whose request was
 * taken. Before this, a worker held at most 8 requests and got the next one only when the main
 * thread had read one of its replies; the main thread, the busier one, read them late, and in
 * per-request traces (2 cores, 50 connections) the worker idled ~15% of the time with requests
 * waiting on the main thread, which meanwhile scored ~9% of the lists at ~1.0 ms each against
 * ~0.6 on the worker. Handing every request over at once (and stealing at 2), 12-s runs in
 * fresh servers alternating with the old pool (four rounds, 14:42-14:47 UTC): 1,493-1,625
 * against 1,381-1,497 lists/s, p99 46-52 against 51-54 ms, server CPU 1.11-1.22 against
 * 1.17-1.30 ms a list; stealing at 8 or 16, or not at all (`local` off), were within the noise
 * of each other (three rounds, 14:47-14:50). The threshold (16, ~10 ms of the worker's work)
 * leaves the main thread to its own work unless the worker falls behind; full bench:api runs
 * alternating with the old pool (14:56-15:01): 1,563-1,621 against 1,381-1,574 req/s, p99
 * 44-47 against 46-56 ms.
 * Workers are unref'd: a pool never keeps the process alive; close() stops them.
 *
 * Why this split (ml-latest-small, 2 cores, 50 connections, per-thread CPU from /proc): with
 * every request on the worker, the main thread spent ~0.57 ms a list (HTTP, candidates,
 * reasons, messages; 86% busy) and the worker ~0.6 (rows, predict, TreeSHAP; 94%) at ~1,500
 * lists/s: close to even, so the main thread steals only to catch up. Candidates stay on the
 * main thread: they read the live rating book (live profiles, rating counts for the filters and
 * the popularity top-up), which only the main thread holds. A worker's answer comes back as one
 * transferred buffer (packScored): one allocation and one transfer per request.
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
  /** The request's slot, and its ticket there (ScoringPool.claims). */
  id: number;
  ticket: number;
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
  | { id: number; ticket: number; n: number; t: number; buffer: ArrayBuffer }
  | { id: number; ticket: number; error: string };

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
  /** Set when sent: the worker it went to, and its ticket (see ScoringPool.claims). */
  worker: number;
  ticket: number;
}

export interface ScoringPoolOptions {
  /** Requests handed to one worker at once (default 64; more wait here). */
  depth?: number;
  /** The calling thread takes requests the workers have not started (default true). */
  local?: boolean;
  /** ... once at least this many wait unstarted (default 16). */
  stealAt?: number;
  /** The run's features: workers then build the rows (scoreUser). */
  features?: PoolFeatures;
}

/** A slot's claim once a thread took its request. */
export const TAKEN = -1;
/** Slots: requests on the workers at once (more wait on the calling thread). */
const MAX_SLOTS = 1024;

export class ScoringPool {
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private readonly dead: boolean[];
  /**
   * The requests on the workers by slot (the message carries the slot), null when free, and
   * the free slots. Not a Map: with a Map here the main thread moved 2.6-2.9 MB/s of finished
   * requests to the old generation (--trace-gc-nvp; in process, 8 lists in flight, six runs),
   * and a full GC came every second or so; with these arrays 0.4 MB/s and none in 4 s. The
   * likely cause: a Map that entries keep entering and leaving rehashes into a new table every
   * few requests, and an old table the collector has already promoted still points at the
   * requests it held, so the young collector keeps them and all they lead to (the promise, the
   * list built after it) alive until the next full GC. These arrays are overwritten in place.
   */
  private readonly slots: (Job | null)[] = [];
  private readonly freeSlots: number[] = [];
  /**
   * Per slot, shared with the workers: the ticket of the request in it until a thread takes
   * it, then TAKEN. Whoever swaps ticket -> TAKEN (Atomics.compareExchange) scores the
   * request: the worker it was sent to, or this thread stealing it; the other one skips it. A
   * ticket is new for every request, so a worker's late message for a slot that was stolen
   * and reused finds another ticket there and is skipped too.
   */
  private readonly claims: Int32Array;
  private ticket = 0;
  private closed = false;
  private readonly cols: number;
  /** Requests not sent yet (every worker at `depth`, or no free slot). */
  private readonly queue: Job[] = [];
  private readonly depth: number;
  private readonly local: boolean;
  private readonly stealAt: number;
  private stealScheduled = false;
  private readonly explained: Uint8Array;
  /**
   * Requests scored on the calling thread and on the workers, and workers' replies that matched
   * no request (a request scored twice would show here) — for tests and benchmarks.
   */
  readonly counts = { local: 0, workers: 0, stale: 0 };
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
    this.depth = opts.depth ?? 64;
    this.local = opts.local ?? true;
    this.stealAt = Math.max(1, opts.stealAt ?? 16);
    this.explained = reasonFeatures(model.featureNames);
    if (this.local) prepareContributions(model, this.explained);
    this.claims = new Int32Array(new SharedArrayBuffer(4 * MAX_SLOTS));
    const bytes = model.serialize();
    this.featurizer = opts.features?.featurizer ?? null;
    const features = opts.features
      ? { bytes: opts.features.bytes, pairSources: opts.features.pairSources }
      : null;
    const url = new URL("./scoring-worker.js", import.meta.url);
    this.workers = Array.from({ length: threads }, (_, w) => {
      const worker = new Worker(url, {
        workerData: { family: model.family, bytes, features, claims: this.claims },
      });
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
      this.queue.push({ ...req, resolve, reject, worker: -1, ticket: 0 });
      this.pump();
    });
  }

  /** Hand queued requests to the least busy workers with room; maybe steal one back later. */
  private pump(): void {
    while (this.queue.length > 0) {
      let w = -1;
      for (let i = 0; i < this.workers.length; i++)
        if (!this.dead[i] && (w < 0 || this.inFlight[i] < this.inFlight[w])) w = i;
      if (w < 0 || this.inFlight[w] >= this.depth) break;
      if (this.freeSlots.length === 0 && this.slots.length >= MAX_SLOTS) break;
      this.send(w, this.queue.shift() as Job);
    }
    if (this.local && !this.stealScheduled && this.waiting() >= this.stealThreshold()) {
      this.stealScheduled = true;
      setImmediate(() => this.scoreLocally());
    }
  }

  private send(w: number, job: Job): void {
    const slot = this.freeSlots.pop() ?? this.slots.push(null) - 1;
    this.ticket = this.ticket >= 0x7fffffff ? 1 : this.ticket + 1;
    job.worker = w;
    job.ticket = this.ticket;
    this.inFlight[w]++;
    this.slots[slot] = job;
    Atomics.store(this.claims, slot, job.ticket);
    const req: ScoreRequest = {
      id: slot,
      ticket: job.ticket,
      rows: job.rows,
      user: job.user,
      movies: job.movies,
      k: job.k,
    };
    // Copied, not transferred, while this thread may still steal the request and need them.
    this.workers[w].postMessage(
      req,
      this.local ? [] : job.rows ? transferables(job.rows, job.movies) : transferables(job.movies),
    );
  }

  /** stealAt, or 1 once every worker has stopped: then this thread scores everything. */
  private stealThreshold(): number {
    return this.dead.every((d) => d) ? 1 : this.stealAt;
  }

  /** Requests no thread has started: sent and unclaimed, or queued here. */
  private waiting(): number {
    let n = this.queue.length;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const job = this.slots[slot];
      if (job && Atomics.load(this.claims, slot) === job.ticket) n++;
    }
    return n;
  }

  /** Takes the oldest request no thread has started, or null. */
  private steal(): Job | null {
    for (;;) {
      let best = -1;
      for (let slot = 0; slot < this.slots.length; slot++) {
        const job = this.slots[slot];
        if (!job || Atomics.load(this.claims, slot) !== job.ticket) continue;
        if (best < 0 || job.ticket < (this.slots[best] as Job).ticket) best = slot;
      }
      if (best < 0) return this.queue.shift() ?? null;
      const job = this.slots[best] as Job;
      // the worker may have started it since the load above: then look again
      if (Atomics.compareExchange(this.claims, best, job.ticket, TAKEN) !== job.ticket) continue;
      this.release(best, job.worker);
      return job;
    }
  }

  private release(slot: number, worker: number): void {
    this.slots[slot] = null;
    this.freeSlots.push(slot);
    this.inFlight[worker]--;
  }

  /**
   * One request the workers have not started, on this thread, when at least `stealAt` wait;
   * then back to the event loop, so that workers' replies and new requests are handled between
   * two of them.
   */
  private scoreLocally(): void {
    this.stealScheduled = false;
    if (this.closed) return;
    const job = this.waiting() >= this.stealThreshold() ? this.steal() : null;
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
    const job = this.slots[m.id];
    // a slot freed by fail() may hold another request by now
    if (!job || job.worker !== worker || job.ticket !== m.ticket) {
      this.counts.stale++;
      return;
    }
    this.release(m.id, worker);
    this.counts.workers++;
    this.pump();
    if ("error" in m) {
      job.reject(new Error(`scoring worker: ${m.error}`));
      return;
    }
    job.resolve(unpackScored(m.n, m.t, m.buffer, this.cols));
  }

  /**
   * A worker stopped. With `local` on, the requests it held are scored again, oldest first, on
   * another worker or here: this thread kept their data (they were copied to the worker, and
   * scoring has no side effects; a late reply of the stopped worker is then stale). Without
   * `local` their arrays were transferred, and they are rejected.
   */
  private fail(worker: number, e: Error): void {
    this.dead[worker] = true;
    const again: Job[] = [];
    for (let slot = 0; slot < this.slots.length; slot++) {
      const job = this.slots[slot];
      if (!job || job.worker !== worker) continue;
      Atomics.store(this.claims, slot, TAKEN);
      this.release(slot, worker);
      if (this.local) again.push(job);
      else job.reject(e);
    }
    again.sort((a, b) => a.ticket - b.ticket);
    this.queue.unshift(...again);
    if (!this.local && this.dead.every((d) => d)) {
      for (const job of this.queue.splice(0))
        job.reject(new Error("every scoring worker has stopped"));
    }
    if (!this.closed) this.pump();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (let slot = 0; slot < this.slots.length; slot++) {
      this.slots[slot]?.reject(new Error("the scoring pool was closed"));
      this.slots[slot] = null;
    }
    for (const job of this.queue.splice(0)) job.reject(new Error("the scoring pool was closed"));
  }
}
