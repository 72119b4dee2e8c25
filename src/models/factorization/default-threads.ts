/**
 * Worker threads for a collaborative fit when the caller does not say: every core, except for
 * small rating sets, which run in-process. Starting a worker (module load, WebAssembly compile)
 * costs ~0.1 s per fit, more than a second core saves on ~100k ratings; ml-latest-small's feature
 * pipeline runs 12 such fits (MF and kNN per fold), 1.4 s of its 6 s. Results are identical for
 * any thread count, so this only changes speed.
 */
import { availableParallelism } from "node:os";

/** Below this many ratings a fit runs in-process by default. */
export const IN_PROCESS_RATINGS = 500_000;

export function defaultThreads(ratings: number): number {
  return ratings < IN_PROCESS_RATINGS ? 1 : availableParallelism();
}
