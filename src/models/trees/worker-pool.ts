/**
 * Worker threads for the tree engine, sharing memory through SharedArrayBuffer.
 *
 * Boosting (WorkerPool): each histogram job of the grower (workspace.ts) is cut into CHUNKS
 * feature ranges that the calling thread and the workers claim from a shared counter until none
 * are left; the caller then blocks until every claimed chunk is done. Claiming (rather than a
 * fixed share per thread) keeps a busy machine from stalling the caller on a worker the OS has
 * not scheduled: the caller simply does that share itself. One control block drives it:
 *
 *   ctrl[GEN]   bumped for every job (workers Atomics.wait on it)
 *   ctrl[DONE]  chunks finished (the caller waits for CHUNKS)
 *   ctrl[CMD]   JOB or EXIT
 *   ctrl[NEXT]  claim token: (parts << 16) | next part; parked (0 parts) between jobs
 *
 * A claim reads the job's part count from the token it got, never from the job: a thread may
 * claim past the end of a job just as the caller moves on to write the next one (which may
 * have more parts), and that claim must still see the count it was made against.
 *
 * A chunk is always computed whole by one thread and threads never split a feature's rows, so
 * results are bit-identical for any thread count.
 * Workers are unref'd and told to exit by `close()`; a pool never keeps the process alive.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type FitProfile, jobStats, sharedClock } from "./fit-profile.js";
import {
  executeJob,
  J_BUILD,
  J_KIND,
  J_PHASE,
  J_UNITS,
  type JobRunner,
  MAX_PARTS,
  type Workspace,
  workspaceBuffers,
} from "./workspace.js";

export const GEN = 0;
export const DONE = 1;
export const CMD = 2;
export const NEXT = 3;
/** No parts: every claim fails (and the part bits have room for the failing claims). */
const PARKED = 0;
const PART_BITS = 16;
const PART_MASK = (1 << PART_BITS) - 1;
export const CMD_JOB = 1;
export const CMD_EXIT = 2;

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** The compiled worker script sits next to this module in dist/. */
export function treeWorkerUrl(): URL {
  return new URL("./tree-worker.js", import.meta.url);
}

/** Job kind names for profiles (workspace.ts KIND_*). */
const KIND_NAMES = [
  "HIST",
  "BIN",
  "RAW",
  "GRAD",
  "PART",
  "NAN",
  "EDGES",
  "STITCH",
  "LPART",
  "LSTITCH",
  "LHIST",
  "LFINISH",
];

export class WorkerPool implements JobRunner {
  private closed = false;
  /** When set, every job's timing goes here (fit-profile.ts). */
  profile: FitProfile | null = null;

  private constructor(
    readonly threads: number,
    private readonly workers: Worker[],
    private readonly ctrl: Int32Array,
    private readonly ws: Workspace,
    readonly chunks: number,
    /** Per thread: first-claim and finish clock of the current job (profiling only). */
    private readonly times: Float64Array,
  ) {}

  static async create(threads: number, ws: Workspace): Promise<WorkerPool> {
    const ctrl = new Int32Array(new SharedArrayBuffer(16));
    const times = new Float64Array(new SharedArrayBuffer(16 * threads));
    ctrl[NEXT] = PARKED;
    // more parts than threads: a thread that the OS runs late leaves less for the others to
    // wait on (parts are claimed, never assigned)
    const chunks = threads <= 1 ? 1 : Math.min(MAX_PARTS, 4 * threads);
    const buffers = workspaceBuffers(ws);
    const workers: Worker[] = [];
    try {
      for (let part = 1; part < threads; part++) {
        const w = new Worker(treeWorkerUrl(), {
          workerData: {
            mode: "jobs",
            buffers,
            ctrl: ctrl.buffer,
            chunks,
            times: times.buffer,
            part,
          },
        });
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          w.once("message", () => resolve());
          w.once("error", reject);
          w.once("exit", (code) => reject(new Error(`tree worker exited early (code ${code})`)));
        });
        w.removeAllListeners();
        w.on("error", () => {});
        w.unref();
      }
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new WorkerPool(threads, workers, ctrl, ws, chunks, times);
  }

  run(ws: Workspace): void {
    if (ws !== this.ws) throw new Error("WorkerPool.run: workspace was not shared with this pool");
    if (this.profile) {
      this.runProfiled(ws, this.profile);
      return;
    }
    this.runJob(ws);
  }

  /** Publishes the job written in ws to the workers; returns its part count. */
  private startJob(ws: Workspace): number {
    const ctrl = this.ctrl;
    const n = jobParts(ws, this.chunks);
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, CMD, CMD_JOB);
    // the job is fully written before parts become claimable
    Atomics.store(ctrl, NEXT, n << PART_BITS);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    return n;
  }

  private runJob(ws: Workspace): void {
    const ctrl = this.ctrl;
    const n = this.startJob(ws);
    claimChunks(ws, ctrl);
    for (;;) {
      const d = Atomics.load(ctrl, DONE);
      if (d >= n) break;
      Atomics.wait(ctrl, DONE, d);
    }
    Atomics.store(ctrl, NEXT, PARKED);
  }

  private runProfiled(ws: Workspace, profile: FitProfile): void {
    const t = this.times;
    t.fill(0);
    const J = ws.jobI;
    const kind = J[J_KIND];
    const name =
      (KIND_NAMES[kind] ?? `KIND${kind}`) +
      (kind === 0 ? (J[J_PHASE] === 1 ? "-blocks" : J[J_BUILD] === 1 ? "" : "-eval") : "");
    const s = jobStats(profile, name);
    const ctrl = this.ctrl;
    const t0 = sharedClock();
    const n = this.startJob(ws);
    const mine = claimChunks(ws, ctrl, t, 0);
    const t1 = sharedClock();
    for (;;) {
      const d = Atomics.load(ctrl, DONE);
      if (d >= n) break;
      Atomics.wait(ctrl, DONE, d);
    }
    Atomics.store(ctrl, NEXT, PARKED);
    const t2 = sharedClock();
    s.runs++;
    s.wallMs += t2 - t0;
    s.mainWorkMs += mine > 0 ? t[1] - t0 : 0;
    s.mainIdleMs += t2 - t1;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    let computing = 0;
    for (let k = 0; k < this.threads; k++) {
      if (t[2 * k + 1] === 0) continue;
      computing++;
      first = Math.min(first, t[2 * k + 1]);
      last = Math.max(last, t[2 * k + 1]);
      if (k > 0) s.wakeMs += t[2 * k] - t0;
    }
    if (computing > 1) s.spreadMs += last - first;
    else s.soloRuns++;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, CMD, CMD_EXIT);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Claim and run chunks of the current job until none are left (caller and workers alike);
 * returns how many this thread ran. With `times` (profiling), thread `thread` writes the clock
 * of its first claim and of its last chunk's end at times[2 thread], times[2 thread + 1].
 */
export function claimChunks(
  ws: Workspace,
  ctrl: Int32Array,
  times: Float64Array | null = null,
  thread = 0,
): number {
  let mine = 0;
  for (;;) {
    const token = Atomics.add(ctrl, NEXT, 1);
    const n = token >>> PART_BITS;
    const c = token & PART_MASK;
    if (c >= n) break;
    if (times && times[2 * thread] === 0) times[2 * thread] = sharedClock();
    executeJob(ws, c, n);
    mine++;
    if (times) times[2 * thread + 1] = sharedClock();
    if (Atomics.add(ctrl, DONE, 1) + 1 === n) Atomics.notify(ctrl, DONE);
  }
  return mine;
}

/** Parts of the current job: its work units (level jobs) or the pool's chunks. */
function jobParts(ws: Workspace, chunks: number): number {
  const u = ws.jobI[J_UNITS];
  const n = u > 0 ? u : chunks;
  // (failing claims, at most one per thread and job, must not carry into the count's bits)
  if (n >= PART_MASK >> 1) throw new Error(`WorkerPool: ${n} parts in one job`);
  return n;
}
