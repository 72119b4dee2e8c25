/**
 * Per-user holdout: each user's ratings are shuffled with the seed and cut by the ratios, so
 * every user with at least one rating has training rows (a user's first shuffled rating always
 * goes to train).
 *
 *   order = rating indices grouped by user (counting sort), start[u]..start[u+1] = user u's rows
 */
import { rngFor } from "../core/index.js";
import { PART_TEST, PART_TRAIN, PART_VAL } from "./split.js";

/** Rating indices grouped by key (counting sort, stable): returns order and start offsets. */
export function groupBy(
  key: Int32Array,
  nKeys: number,
  rows?: Int32Array,
): { order: Int32Array; start: Int32Array } {
  const n = rows ? rows.length : key.length;
  const start = new Int32Array(nKeys + 1);
  for (let j = 0; j < n; j++) start[key[rows ? rows[j] : j] + 1]++;
  for (let k = 0; k < nKeys; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nKeys);
  const order = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = rows ? rows[j] : j;
    order[fill[key[i]]++] = i;
  }
  return { order, start };
}

export function assignPerUser(
  user: Int32Array,
  nUsers: number,
  ratios: readonly [number, number, number],
  seed: number,
): Uint8Array {
  const part = new Uint8Array(user.length);
  const { order, start } = groupBy(user, nUsers);
  const rng = rngFor(seed, 3);
  for (let u = 0; u < nUsers; u++) {
    const seg = order.subarray(start[u], start[u + 1]);
    const len = seg.length;
    if (len === 0) continue;
    rng.shuffle(seg);
    const nTrain = Math.max(1, Math.round(len * ratios[0]));
    const nVal = Math.min(len - nTrain, Math.round(len * ratios[1]));
    for (let j = 0; j < len; j++) {
      part[seg[j]] = j < nTrain ? PART_TRAIN : j < nTrain + nVal ? PART_VAL : PART_TEST;
    }
  }
  return part;
}
