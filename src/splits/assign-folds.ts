/**
 * Out-of-fold assignment: the training rows are shuffled with the seed and dealt round-robin
 * into k folds, so fold sizes differ by at most one. fold[i] = fold of rating i, -1 when rating
 * i is not a training row.
 */
import { CinerankError, rngFor } from "../core/index.js";
import type { Split } from "./split.js";

export function assignFolds(split: Split, k: number, seed: number): Int8Array {
  if (!Number.isInteger(k) || k < 2 || k > 20) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `folds: expected an integer in 2..20, got ${k}`,
    );
  }
  const fold = new Int8Array(split.part.length).fill(-1);
  const order = rngFor(seed, 11).shuffle(split.train.slice());
  for (let j = 0; j < order.length; j++) fold[order[j]] = j % k;
  return fold;
}
