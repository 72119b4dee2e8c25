/**
 * FeatureState: the fitted whole-training tables that serving needs to build a feature row
 * exactly as validation/test rows were built. Plain typed arrays plus the pair scorers; see
 * feature-state-codec.ts for the bytes.
 *
 *   userSums[u * stride ..]      user u's raw sums over all training ratings (user-sums.ts)
 *   movieBlock[m * movieWidth ..] movie m's finished movie block
 *   movieEmbedding[m * dim ..]   movie m's unit content embedding
 */
import { CinerankError } from "../core/index.js";
import type { ContentModel } from "./content-embeddings.js";
import type { PairScorer } from "./pair-feature-source.js";

export interface DemographicTable {
  /** Age per user (NaN unknown). */
  age: Float32Array;
  /** 0 unknown, 1 F, 2 M. */
  gender: Uint8Array;
  /** Index into spec.occupations, -1 unknown. */
  occupation: Int16Array;
}

export interface FeatureState {
  nUsers: number;
  nMovies: number;
  /** External MovieLens ids by dense index (the dataset's IdMaps). */
  userIds: Float64Array;
  movieIds: Float64Array;
  /** Whole-training global sums row (slot-globals.ts). */
  globals: Float64Array;
  /** Whole-training trending threshold (window count; Infinity = nothing trends). */
  trendingThreshold: number;
  userSums: Float64Array;
  movieBlock: Float32Array;
  movieEmbedding: Float32Array;
  /** Bitmask over genre columns per movie. */
  movieGenreCols: Uint32Array;
  demographics: DemographicTable | null;
  /** TF-IDF vocabulary/IDF and SVD basis (to embed a new movie); null when content is off. */
  content: ContentModel | null;
  /** Pair scorers fitted on the whole training part, by source name. */
  scorers: Record<string, PairScorer>;
}

/** The state's scorer for the pair source a spec names; a state without it was not fitted so. */
export function pairScorer(state: FeatureState, name: string): PairScorer {
  const scorer = state.scorers[name];
  if (!scorer)
    throw new CinerankError(
      "ERR_NOT_FITTED",
      `feature state has no scorer for pair source "${name}"`,
    );
  return scorer;
}
