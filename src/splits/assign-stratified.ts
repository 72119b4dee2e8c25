/**
 * Stratified random parts: within each label class (like / not like) the rows are shuffled
 * with the seed and cut by the ratios, so every part keeps the overall like-rate (to within one
 * row per class).
 */
import { rngFor } from "../core/index.js";
import { PART_TEST, PART_TRAIN, PART_VAL } from "./split.js";

export function assignStratified(
  rating: Float32Array,
  threshold: number,
  ratios: readonly [number, number, number],
  seed: number,
): Uint8Array {
  const n = rating.length;
  const part = new Uint8Array(n);
  let nLike = 0;
  for (let i = 0; i < n; i++) if (rating[i] >= threshold) nLike++;
  // Two buckets in one buffer: likes first, then the rest, each in rating order before shuffling.
  const order = new Int32Array(n);
  let a = 0;
  let b = nLike;
  for (let i = 0; i < n; i++) {
    if (rating[i] >= threshold) order[a++] = i;
    else order[b++] = i;
  }
  const cut = (from: number, to: number, stream: number): void => {
    const seg = order.subarray(from, to);
    rngFor(seed, stream).shuffle(seg);
    const len = to - from;
    const nTrain = Math.round(len * ratios[0]);
    const nVal = Math.min(len - nTrain, Math.round(len * ratios[1]));
    for (let j = 0; j < len; j++) {
      part[seg[j]] = j < nTrain ? PART_TRAIN : j < nTrain + nVal ? PART_VAL : PART_TEST;
    }
  };
  cut(0, nLike, 1);
  cut(nLike, n, 2);
  return part;
}
