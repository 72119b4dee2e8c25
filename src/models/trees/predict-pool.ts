/**
 * The process-wide worker pool that scores large batches with a packed forest, synchronously.
 *
 * Started lazily on the first large batch and kept for the life of the process (workers are
 * unref'd, so they never keep it alive): repeated predict calls pay no worker start-up, and a
 * forest's prediction layout (packed-tree.ts, built in shared memory) is shipped to the workers
 * once, then cached by id (the last MAX_FORESTS forests; older ones are dropped on both sides). Rows go through a shared
 * input buffer in windows of at most WINDOW_FLOATS values.
 *
 * A job is a window cut into chunks of CHUNK_ROWS rows that the calling thread and the workers
 * claim from a shared counter; the caller blocks (Atomics.wait) only for chunks a worker has
 * claimed and not finished, so a worker that is still starting or not scheduled just leaves its
 * share to the caller. Each row is summed tree by tree by one thread (PackedForest.addRaw), so
 * the scores are bit-identical to a single-threaded run for any number of threads.
 *
 * Control block (Int32Array over a SharedArrayBuffer):
 *   GEN    bumped for every job (workers Atomics.wait on it); CMD  JOB or EXIT
 *   NEXT   next chunk to claim (parked between jobs); DONE  chunks finished
 *   CHUNKS, ROWS, COLS, FOREST (id), BUFS (buffer version), ACTIVE (workers allowed), ERR,
 *   WORKER_CHUNKS (chunks scored by workers, for statistics)
 * Messages (added/dropped forests, new buffers) are posted before the job that needs them is
 * published, and a worker drains its port (receiveMessageOnPort) before using them.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { PackedForest } from "./packed-tree.js";

export const P_GEN = 0;
export const P_CMD = 1;
export const P_NEXT = 2;
export const P_DONE = 3;
export const P_CHUNKS = 4;
export const P_ROWS = 6;
export const P_COLS = 7;
export const P_FOREST = 8;
export const P_BUFS = 9;
export const P_ACTIVE = 10;
export const P_ERR = 11;
/** Chunks scored by workers so far (statistics). */
export const P_WORKER_CHUNKS = 12;
const P_INTS = 13;
export const P_CMD_JOB = 1;
export const P_CMD_EXIT = 2;
export const P_PARKED = 1 << 30;
/** Rows per claimed chunk (one block of PackedForest.addRaw). */
export const CHUNK_ROWS = 4096;
/** Values per window of the shared input buffer (32 MB). */
const WINDOW_FLOATS = 1 << 23;
/**
 * Forests the workers keep: a deep forest's layout is tens of MB, and a process mostly scores
 * with one model at a time.
 */
const MAX_FORESTS = 3;

/** The forest as a worker walks it: its prediction layout, already in shared memory. */
export interface SharedForest {
  roots: Int32Array;
  rec: Int32Array;
  leaf: Float32Array;
  depth: Int32Array;
}

export type PoolMessage =
  | { kind: "forest"; id: number; forest: SharedForest }
  | { kind: "drop"; id: number }
  | { kind: "buffers"; version: number; values: SharedArrayBuffer; out: SharedArrayBuffer };

class PredictPool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(P_INTS * 4));
  private readonly scale = new Float64Array(new SharedArrayBuffer(8));
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  private readonly ids = new WeakMap<PackedForest, number>();
  /** Forest ids the workers hold, oldest first. */
  private readonly shipped: number[] = [];
  private nextId = 1;
  private values = new Float32Array(new SharedArrayBuffer(0));
  private out = new Float64Array(new SharedArrayBuffer(0));
  private broken = false;

  constructor(readonly workerCount: number) {
    this.ctrl[P_NEXT] = P_PARKED;
    for (let k = 0; k < workerCount; k++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(new URL("./predict-worker.js", import.meta.url), {
        workerData: { ctrl: this.ctrl.buffer, scale: this.scale.buffer, port: port2, index: k },
        transferList: [port2],
      });
      w.on("error", () => {
        this.broken = true;
      });
      w.unref();
      port1.unref();
      this.workers.push(w);
      this.ports.push(port1);
    }
  }

  get workerChunks(): number {
    return Atomics.load(this.ctrl, P_WORKER_CHUNKS);
  }

  get usable(): boolean {
    return !this.broken;
  }

  private post(m: PoolMessage): void {
    for (const p of this.ports) p.postMessage(m);
  }

  private forestId(f: PackedForest): number {
    let id = this.ids.get(f);
    if (id !== undefined && this.shipped.includes(id)) return id;
    id = this.nextId++;
    this.ids.set(f, id);
    const layout = f.predictLayout();
    this.post({
      kind: "forest",
      id,
      forest: { roots: layout.roots, rec: layout.rec, leaf: layout.leaf, depth: layout.depth },
    });
    this.shipped.push(id);
    while (this.shipped.length > MAX_FORESTS) {
      const old = this.shipped.shift() as number;
      this.post({ kind: "drop", id: old });
    }
    return id;
  }

  private ensureBuffers(floats: number, rows: number): void {
    if (this.values.length >= floats && this.out.length >= rows) return;
    this.values = new Float32Array(new SharedArrayBuffer(Math.max(floats, this.values.length) * 4));
    this.out = new Float64Array(new SharedArrayBuffer(Math.max(rows, this.out.length) * 8));
    const version = Atomics.add(this.ctrl, P_BUFS, 1) + 1;
    this.post({
      kind: "buffers",
      version,
      values: this.values.buffer,
      out: this.out.buffer,
    });
  }

  /**
   * out[r] += scale * (sum of all trees) for rows [0, rows), exactly as forest.addRaw does,
   * with up to `threads` threads (this one included). Returns false if the pool failed (the
   * caller then scores in this thread). `meanwhile` runs on this thread once the first window's
   * job is published, before this thread claims chunks itself.
   */
  addRaw(
    forest: PackedForest,
    values: Float32Array,
    cols: number,
    rows: number,
    scale: number,
    threads: number,
    out: Float64Array,
    meanwhile?: () => void,
  ): boolean {
    if (this.broken) return false;
    const ctrl = this.ctrl;
    const id = this.forestId(forest);
    const windowRows = Math.max(
      CHUNK_ROWS,
      Math.floor(WINDOW_FLOATS / cols / CHUNK_ROWS) * CHUNK_ROWS,
    );
    const wr = Math.min(rows, windowRows);
    this.ensureBuffers(wr * cols, wr);
    this.scale[0] = scale;
    const sv = this.values;
    const so = this.out;
    for (let w0 = 0; w0 < rows; w0 += wr) {
      const n = Math.min(wr, rows - w0);
      sv.set(values.subarray(w0 * cols, (w0 + n) * cols));
      so.fill(0, 0, n);
      const chunks = Math.ceil(n / CHUNK_ROWS);
      Atomics.store(ctrl, P_DONE, 0);
      Atomics.store(ctrl, P_CHUNKS, chunks);
      Atomics.store(ctrl, P_ROWS, n);
      Atomics.store(ctrl, P_COLS, cols);
      Atomics.store(ctrl, P_FOREST, id);
      Atomics.store(ctrl, P_ACTIVE, Math.max(0, threads - 1));
      Atomics.store(ctrl, P_CMD, P_CMD_JOB);
      // the job is fully written before chunks become claimable
      Atomics.store(ctrl, P_NEXT, 0);
      Atomics.add(ctrl, P_GEN, 1);
      Atomics.notify(ctrl, P_GEN);
      // The caller's other work (e.g. the next batch's feature rows) while the workers score;
      // this thread then joins for whatever chunks are left.
      if (w0 === 0) meanwhile?.();
      for (;;) {
        const c = Atomics.add(ctrl, P_NEXT, 1);
        if (c >= chunks) break;
        const r0 = c * CHUNK_ROWS;
        forest.addRaw(sv, cols, r0, Math.min(n, r0 + CHUNK_ROWS), 0, forest.trees, scale, so);
        Atomics.add(ctrl, P_DONE, 1);
      }
      for (;;) {
        const d = Atomics.load(ctrl, P_DONE);
        if (d >= chunks) break;
        Atomics.wait(ctrl, P_DONE, d, 50);
        if (this.broken) break;
      }
      Atomics.store(ctrl, P_NEXT, P_PARKED);
      if (this.broken || Atomics.load(ctrl, P_ERR) !== 0) {
        this.broken = true;
        return false;
      }
      for (let r = 0; r < n; r++) out[w0 + r] += so[r];
    }
    return true;
  }
}

let pool: PredictPool | null = null;

/** Threads that large predictions use (this one included); default: available cores. */
let predictThreads = Math.max(1, availableParallelism());

/** Set the threads large tree predictions use (1 = always in the calling thread). */
export function setPredictThreads(threads: number): void {
  predictThreads = Math.max(1, Math.floor(threads));
}

export function getPredictThreads(): number {
  return predictThreads;
}

/** Chunks of CHUNK_ROWS rows the pool's workers have scored in this process (0: no pool yet). */
export function predictPoolWorkerChunks(): number {
  return pool?.workerChunks ?? 0;
}

/** Below this many row x tree walks a batch is scored in the calling thread (no hand-off). */
export const PARALLEL_MIN_WALKS = 1_000_000;

/**
 * scale * (sum of all trees' leaf values) per row of rows [0, rows): on the shared pool when the
 * batch is large and threads > 1, else (or if the pool failed) in this thread. Either way the
 * result is bit-identical to forest.addRaw into zeros. `meanwhile` (optional) runs exactly once
 * on this thread: while the pool's workers score, or before scoring here.
 */
export function forestRaw(
  forest: PackedForest,
  values: Float32Array,
  cols: number,
  rows: number,
  scale: number,
  threads = predictThreads,
  meanwhile?: () => void,
): Float64Array {
  const out = new Float64Array(rows);
  let pending = meanwhile;
  const once = () => {
    const f = pending;
    pending = undefined;
    f?.();
  };
  if (threads > 1 && rows * forest.trees >= PARALLEL_MIN_WALKS && rows >= 2 * CHUNK_ROWS) {
    pool ??= new PredictPool(Math.max(1, Math.max(predictThreads, threads) - 1));
    if (pool.usable && pool.addRaw(forest, values, cols, rows, scale, threads, out, once)) {
      return out;
    }
    out.fill(0);
  }
  once();
  forest.addRaw(values, cols, 0, rows, 0, forest.trees, scale, out);
  return out;
}
