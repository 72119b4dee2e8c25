/**
 * The collaborative feature sources the CLI can add to the feature matrix (--cf). They live in
 * the models layer (biased MF, item-kNN) and implement the features layer's PairFeatureSource;
 * buildFeatures fits them out-of-fold, so a training row's own rating never feeds its features.
 */
import type { PairFeatureSource } from "../../features/index.js";
import { knnFeatureSource, mfFeatureSource } from "../../models/index.js";

const SOURCES: Record<string, () => PairFeatureSource> = {
  mf: () => mfFeatureSource(),
  knn: () => knnFeatureSource(),
};

export const PAIR_SOURCE_NAMES: string[] = Object.keys(SOURCES);

export function pairSourcesFor(names: readonly string[]): PairFeatureSource[] {
  return names.map((n) => SOURCES[n]());
}
