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
 *   ctrl[NEXT]  next chunk to claim (parked at a huge value between jobs)
 *
 * A chunk is always computed whole by one thread and threads never split a feature's rows, so
 * results are bit-identical for any thread count.
 * Workers are unref'd and told to exit by `close()`; a pool never keeps the process alive.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  executeJob,
  type JobRunner,
  MAX_PARTS,
  type Workspace,
  workspaceBuffers,
} from "./workspace.js";

export const GEN = 0;
export const DONE = 1;
export const CMD = 2;
export const NEXT = 3;
const PARKED = 1 << 30;
export const CMD_JOB = 1;
export const CMD_EXIT = 2;

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** The compiled worker script sits next to this module in dist/. */
export function treeWorkerUrl(): URL {
  return new URL("./tree-worker.js", import.meta.url);
}

export class WorkerPool implements JobRunner {
  private closed = false;

  private constructor(
    readonly threads: number,
    private readonly workers: Worker[],
    private readonly ctrl: Int32Array,
    private readonly ws: Workspace,
    readonly chunks: number,
  ) {}

  static async create(threads: number, ws: Workspace): Promise<WorkerPool> {
    const ctrl = new Int32Array(new SharedArrayBuffer(16));
    ctrl[NEXT] = PARKED;
    // more parts than threads: a thread that the OS runs late leaves less for the others to
    // wait on (parts are claimed, never assigned)
    const chunks = threads <= 1 ? 1 : Math.min(MAX_PARTS, 4 * threads);
    const buffers = workspaceBuffers(ws);
    const workers: Worker[] = [];
    try {
      for (let part = 1; part < threads; part++) {
        const w = new Worker(treeWorkerUrl(), {
          workerData: { mode: "jobs", buffers, ctrl: ctrl.buffer, chunks },
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
    return new WorkerPool(threads, workers, ctrl, ws, chunks);
  }

  run(ws: Workspace): void {
    if (ws !== this.ws) throw new Error("WorkerPool.run: workspace was not shared with this pool");
    const ctrl = this.ctrl;
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, CMD, CMD_JOB);
    // the job is fully written before chunks become claimable
    Atomics.store(ctrl, NEXT, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    claimChunks(ws, ctrl, this.chunks);
    for (;;) {
      const d = Atomics.load(ctrl, DONE);
      if (d >= this.chunks) break;
      Atomics.wait(ctrl, DONE, d);
    }
    Atomics.store(ctrl, NEXT, PARKED);
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

/** Claim and run chunks of the current job until none are left (caller and workers alike). */
export function claimChunks(ws: Workspace, ctrl: Int32Array, chunks: number): void {
  for (;;) {
    const c = Atomics.add(ctrl, NEXT, 1);
    if (c >= chunks) return;
    executeJob(ws, c, chunks);
    if (Atomics.add(ctrl, DONE, 1) + 1 === chunks) Atomics.notify(ctrl, DONE);
  }
}
