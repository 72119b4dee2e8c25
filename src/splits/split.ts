/**
 * The Split value: which part (train / validation / test / dropped) every rating of a Dataset
 * belongs to, how it was made (kind, threshold, seed, ratios) and the counts a report prints.
 * Rows are addressed by rating index i (0 <= i < nRatings), as in Dataset.ratings.
 *
 *   part[i] = PART_TRAIN | PART_VAL | PART_TEST | PART_DROPPED
 *   train[] / val[] / test[] = ascending rating indices of each part (dropped rows in none)
 */
export type SplitKind = "stratified" | "user" | "temporal";

export const SPLIT_KINDS: readonly SplitKind[] = ["stratified", "user", "temporal"];

export const PART_TRAIN = 0;
export const PART_VAL = 1;
export const PART_TEST = 2;
/** A validation/test row whose user has no training rows (stratified and temporal splits). */
export const PART_DROPPED = 3;

export const PART_NAMES = ["train", "val", "test", "dropped"] as const;
export type PartName = (typeof PART_NAMES)[number];

export interface SplitOptions {
  /** Default "stratified" (the original study's protocol). */
  kind?: SplitKind;
  /** like = rating >= threshold. Default 3.5. */
  threshold?: number;
  /** Default 42. */
  seed?: number;
  /** Train / validation / test fractions, summing to 1. Default [0.7, 0.15, 0.15]. */
  ratios?: readonly [number, number, number];
}

export const SPLIT_DEFAULTS = {
  kind: "stratified" as SplitKind,
  threshold: 3.5,
  seed: 42,
  ratios: [0.7, 0.15, 0.15] as const,
};

export interface SplitCounts {
  train: number;
  val: number;
  test: number;
  /** Validation rows dropped because their user has no training rows. */
  droppedVal: number;
  /** Test rows dropped because their user has no training rows. */
  droppedTest: number;
}

export interface Split {
  kind: SplitKind;
  threshold: number;
  seed: number;
  ratios: readonly [number, number, number];
  /** Part per rating (PART_* codes). */
  part: Uint8Array;
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
  counts: SplitCounts;
}
