/**
 * scoreCandidates: the like-model's part of a recommendation — P(like) of every candidate's
 * feature row, the k best in list order (rankScored) and their contributions (only the features
 * a reason can name). One function for the calling thread and the scoring workers, so a list is
 * the same wherever it was scored.
 */
import type { LikeModel } from "../models/index.js";
import { rankScored } from "./rank-scored.js";
import { rowContributions } from "./row-contributions.js";
import type { Contributions } from "./types.js";

export interface Scored {
  p: Float32Array;
  /** Indices into the candidates of the k best, best first. */
  top: number[];
  /** Contributions of the k best, in `top` order. */
  contributions: Contributions[];
}

export function scoreCandidates(
  model: LikeModel,
  rows: Float32Array,
  movies: Int32Array,
  k: number,
  /** Per feature: 1 = explain it (reasonFeatures). */
  explained: Uint8Array,
): Scored {
  const p = model.predict(rows, movies.length);
  const top = rankScored(p, movies, k);
  const contributions = rowContributions(model, rows, model.featureNames.length, top, explained);
  return { p, top, contributions };
}
