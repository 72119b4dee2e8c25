/**
 * The feature side of a run: saving the FeatureSpec (JSON) and FeatureState (the features
 * layer's codec) into `features/`, and scoring one user against many movies with a fitted model
 * through the serving path (featuresForPairs), so ranking and recommendations see exactly the
 * features a served request would.
 */
import type { Dataset } from "../../data/index.js";
import {
  encodeFeatures,
  featuresForPairs,
  type FeatureSpec,
  type FeatureState,
} from "../../features/index.js";
import type { LikeModel } from "../../models/index.js";
import type { RunFolder } from "../run-folder.js";
import type { UserScorer } from "./ranking-evaluation.js";

export interface BuiltFeatureTables {
  spec: FeatureSpec;
  state: FeatureState;
}

export async function saveFeatures(run: RunFolder, built: BuiltFeatureTables): Promise<void> {
  // spec.json is for people and other tools; state.bin (spec + fitted tables + CF scorers) is
  // what serving decodes with the same pair sources (decodeFeatures).
  await run.writeJson("features/spec.json", built.spec);
  await run.write("features/state.bin", encodeFeatures(built.spec, built.state));
}

/**
 * A UserScorer for `model`. Pairs are scored as if rated at the end of the training period
 * (a fixed, reproducible time for the time-of-day features).
 */
export function userRowScorer(
  built: BuiltFeatureTables,
  model: LikeModel,
  _dataset: Dataset,
): UserScorer {
  const when = built.spec.trainTimeRange[1];
  return (user, movies) => {
    const m = featuresForPairs(built.spec, built.state, user, movies, when);
    return model.predict(m.values, m.rows);
  };
}
