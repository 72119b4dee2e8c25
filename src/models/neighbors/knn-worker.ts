/**
 * Worker-thread entry for item-kNN neighbour lists (see item-knn.ts): takes chunks of movies from
 * the shared atomic counter; the per-movie kernel writes their top-K lists into the shared output
 * arrays, the pairwise kernel offers its pairs to this worker's own heaps (merged by the caller).
 */
import { parentPort, workerData } from "node:worker_threads";
import { type KnnBuffers, type KnnParams, KnnScratch, knnRange } from "./knn-kernel.js";
import { knnPairsRange, type PairHeaps, PairScratch } from "./knn-pairs-kernel.js";

const { buf, prm, counter, chunk, heaps } = workerData as {
  buf: KnnBuffers & { pos: Int32Array };
  prm: KnnParams;
  counter: Int32Array;
  chunk: number;
  /** This worker's heaps for the pairwise kernel; null = per-movie kernel. */
  heaps: PairHeaps | null;
};

try {
  const n = buf.byMovie.rows;
  const scratch = heaps ? new PairScratch(n) : new KnnScratch(n, prm.K);
  for (;;) {
    const from = Atomics.add(counter, 0, chunk);
    if (from >= n) break;
    const to = Math.min(n, from + chunk);
    if (heaps) knnPairsRange(prm, buf, from, to, scratch as PairScratch, heaps);
    else knnRange(prm, buf, from, to, scratch as KnnScratch);
    parentPort?.postMessage({ progress: to - from });
  }
  parentPort?.postMessage({ ok: true });
} catch (e) {
  parentPort?.postMessage({ ok: false, error: (e as Error)?.stack ?? String(e) });
}
