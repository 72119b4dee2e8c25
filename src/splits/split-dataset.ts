/**
 * splitDataset: the one entry point for train / validation / test splits (EVALUATION.md).
 * `stratified` and `temporal` then drop validation/test rows whose user has no training rows
 * (and count them); `user` never needs to, since every user keeps at least one training row.
 */
import { CinerankError } from "../core/index.js";
import type { Dataset } from "../data/index.js";
import { assignPerUser } from "./assign-per-user.js";
import { assignStratified } from "./assign-stratified.js";
import { assignTemporal } from "./assign-temporal.js";
import {
  PART_DROPPED,
  PART_TEST,
  PART_TRAIN,
  PART_VAL,
  SPLIT_DEFAULTS,
  SPLIT_KINDS,
  type Split,
  type SplitOptions,
} from "./split.js";

function checkOptions(o: SplitOptions): Required<SplitOptions> {
  const kind = o.kind ?? SPLIT_DEFAULTS.kind;
  if (!SPLIT_KINDS.includes(kind)) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `split kind: expected one of ${SPLIT_KINDS.join(", ")}, got "${kind}"`,
    );
  }
  const threshold = o.threshold ?? SPLIT_DEFAULTS.threshold;
  if (!Number.isFinite(threshold)) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `threshold: expected a number, got ${threshold}`,
    );
  }
  const seed = o.seed ?? SPLIT_DEFAULTS.seed;
  if (!Number.isInteger(seed) || seed < 0) {
    throw new CinerankError("ERR_INVALID_ARGUMENT", `seed: expected an integer >= 0, got ${seed}`);
  }
  const ratios = o.ratios ?? SPLIT_DEFAULTS.ratios;
  const sum = ratios.length === 3 ? ratios[0] + ratios[1] + ratios[2] : Number.NaN;
  if (!(Math.abs(sum - 1) < 1e-6) || ratios.some((r) => !(r >= 0)) || !(ratios[0] > 0)) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `ratios: expected three fractions >= 0 summing to 1 with train > 0, got ${ratios.join(",")}`,
    );
  }
  return { kind, threshold, seed, ratios };
}

function indicesOf(part: Uint8Array, code: number, count: number): Int32Array {
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < part.length; i++) if (part[i] === code) out[k++] = i;
  return out;
}

export function splitDataset(dataset: Dataset, options: SplitOptions = {}): Split {
  const { kind, threshold, seed, ratios } = checkOptions(options);
  const r = dataset.ratings;
  const nUsers = dataset.users.size;
  const part =
    kind === "stratified"
      ? assignStratified(r.rating, threshold, ratios, seed)
      : kind === "user"
        ? assignPerUser(r.user, nUsers, ratios, seed)
        : assignTemporal(r.timestamp, ratios);
  const hasTrain = new Uint8Array(nUsers);
  for (let i = 0; i < part.length; i++) if (part[i] === PART_TRAIN) hasTrain[r.user[i]] = 1;
  const counts = { train: 0, val: 0, test: 0, droppedVal: 0, droppedTest: 0 };
  for (let i = 0; i < part.length; i++) {
    const p = part[i];
    if (p === PART_TRAIN) counts.train++;
    else if (!hasTrain[r.user[i]]) {
      part[i] = PART_DROPPED;
      if (p === PART_VAL) counts.droppedVal++;
      else counts.droppedTest++;
    } else if (p === PART_VAL) counts.val++;
    else counts.test++;
  }
  return {
    kind,
    threshold,
    seed,
    ratios: [ratios[0], ratios[1], ratios[2]],
    part,
    train: indicesOf(part, PART_TRAIN, counts.train),
    val: indicesOf(part, PART_VAL, counts.val),
    test: indicesOf(part, PART_TEST, counts.test),
    counts,
  };
}

/** The like-rate of the rows `rows` (0 when empty). */
export function likeRate(dataset: Dataset, rows: Int32Array, threshold: number): number {
  let likes = 0;
  const rating = dataset.ratings.rating;
  for (let j = 0; j < rows.length; j++) if (rating[rows[j]] >= threshold) likes++;
  return rows.length ? likes / rows.length : 0;
}
