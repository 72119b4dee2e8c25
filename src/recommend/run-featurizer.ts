/**
 * The run's feature pipeline at serving time, in a module of its own so that a scoring worker can
 * build the same featurizer from the run's encoded feature state (scoring-worker.ts) without
 * loading the store: runFeaturizer (the rows featuresForPairs gives, written by ServingRows on the
 * fitted spec + state) and the pair feature sources a spec names.
 */
import { CinerankError } from "../core/index.js";
import {
  type FeatureSpec,
  type FeatureState,
  type PairFeatureSource,
  servingRows,
  userProfile,
  userProfileFromRatings,
} from "../features/index.js";
import { knnFeatureSource, mfFeatureSource } from "../models/index.js";
import type { PairFeaturizer, ServingUser } from "./types.js";

/** The feature pipeline's serving path as a PairFeaturizer. */
export function runFeaturizer(spec: FeatureSpec, state: FeatureState): PairFeaturizer {
  // Pairs are scored as if rated at the end of the training period, as the run's own ranking
  // evaluation does, so time-of-day/age features stay inside the range the model saw.
  const when = spec.trainTimeRange[1];
  const rows = servingRows(spec, state);
  return {
    names: spec.names,
    forUser(user: ServingUser, movies: Int32Array, into?: Float32Array): Float32Array {
      const profile = user.ratings
        ? userProfileFromRatings(spec, state, user.ratings, user.index)
        : user.index >= 0
          ? userProfile(spec, state, user.index)
          : userProfileFromRatings(spec, state, {
              movie: new Int32Array(0),
              rating: new Float32Array(0),
              timestamp: new Float64Array(0),
            });
      // write() sets every cell, so the rows need not be zero-filled first
      const n = movies.length * spec.layout.cols;
      let out: Float32Array;
      if (into && into.length >= n) out = into.subarray(0, n);
      else {
        const bytes = Buffer.allocUnsafeSlow(n * 4);
        out = new Float32Array(bytes.buffer, bytes.byteOffset, n);
      }
      rows.write(profile, movies, when, out);
      return out;
    },
  };
}

/** The collaborative feature sources of the models layer, by the name a spec records. */
export function defaultPairSources(names: readonly string[]): PairFeatureSource[] {
  return names.map((n) => {
    if (n === "mf") return mfFeatureSource();
    if (n === "knn") return knnFeatureSource();
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `the run's features use an unknown pair source "${n}"`,
    );
  });
}
