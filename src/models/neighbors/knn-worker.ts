/**
 * Worker-thread entry for item-kNN neighbour lists (see item-knn.ts): takes chunks of movies from
 * the shared atomic counter and writes their top-K lists into the shared output arrays.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type KnnBuffers, type KnnParams, KnnScratch, knnRange } from "./knn-kernel.js";

const { buf, prm, counter, chunk } = workerData as {
  buf: KnnBuffers;
  prm: KnnParams;
  counter: Int32Array;
  chunk: number;
};

try {
  const n = buf.byMovie.rows;
  const scratch = new KnnScratch(n, prm.K);
  for (;;) {
    const from = Atomics.add(counter, 0, chunk);
    if (from >= n) break;
    knnRange(prm, buf, from, Math.min(n, from + chunk), scratch);
    parentPort?.postMessage({ progress: Math.min(n, from + chunk) - from });
  }
  parentPort?.postMessage({ ok: true });
} catch (e) {
  parentPort?.postMessage({ ok: false, error: (e as Error)?.stack ?? String(e) });
}
