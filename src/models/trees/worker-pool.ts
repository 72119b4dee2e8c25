/**
 * Worker threads for the tree engine, sharing memory through SharedArrayBuffer.
 *
 * Boosting (WorkerPool): the grower's histogram jobs (workspace.ts) run on all threads at once,
 * each thread on its own range of features; the calling thread takes part 0 and blocks on an
 * Atomics counter until the others are done. One 4-int control block drives it:
 *
 *   ctrl[GEN]     bumped for every job (workers Atomics.wait on it)
 *   ctrl[PENDING] workers still busy with the current job (the caller waits for 0)
 *   ctrl[CMD]     JOB or EXIT
 *
 * Threads never split a feature's rows, so results are bit-identical for any thread count.
 * Workers are unref'd and told to exit by `close()`; a pool never keeps the process alive.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { executeJob, type JobRunner, type Workspace, workspaceBuffers } from "./workspace.js";

export const GEN = 0;
export const PENDING = 1;
export const CMD = 2;
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
  ) {}

  static async create(threads: number, ws: Workspace): Promise<WorkerPool> {
    const ctrl = new Int32Array(new SharedArrayBuffer(16));
    const buffers = workspaceBuffers(ws);
    const workers: Worker[] = [];
    try {
      for (let part = 1; part < threads; part++) {
        const w = new Worker(treeWorkerUrl(), {
          workerData: { mode: "jobs", buffers, ctrl: ctrl.buffer, part, parts: threads },
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
    return new WorkerPool(threads, workers, ctrl, ws);
  }

  run(ws: Workspace): void {
    if (ws !== this.ws) throw new Error("WorkerPool.run: workspace was not shared with this pool");
    const ctrl = this.ctrl;
    Atomics.store(ctrl, PENDING, this.workers.length);
    Atomics.store(ctrl, CMD, CMD_JOB);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    executeJob(ws, 0, this.threads);
    for (;;) {
      const p = Atomics.load(ctrl, PENDING);
      if (p === 0) break;
      Atomics.wait(ctrl, PENDING, p);
    }
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
