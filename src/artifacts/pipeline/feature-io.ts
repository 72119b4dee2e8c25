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
import type { BatchScorer, UserScorer } from "./ranking-evaluation.js";

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

/** A model that can also predict on worker threads (the tree ensembles). */
interface ParallelPredictor {
  predictParallel(
    values: Float32Array,
    rows: number,
    threads?: number,
    meanwhile?: () => void,
  ): Promise<Float32Array>;
}

function hasParallelPredict(m: LikeModel): m is LikeModel & ParallelPredictor {
  return typeof (m as Partial<ParallelPredictor>).predictParallel === "function";
}

/**
 * The BatchScorer twin of userRowScorer: the same feature rows, stacked for several users, and
 * one prediction call (on worker threads when the model offers it, whose scores are
 * bit-identical to predict()). Rows are independent, so each user's slice equals what
 * userRowScorer returns.
 */
export function userBatchScorer(
  built: BuiltFeatureTables,
  model: LikeModel,
  threads?: number,
): BatchScorer {
  const when = built.spec.trainTimeRange[1];
  const cols = built.spec.layout.cols;
  return {
    prepare(users, movies) {
      let rows = 0;
      for (const m of movies) rows += m.length;
      // every user's rows written straight into one table for the single prediction call
      const values = new Float32Array(rows * cols);
      const starts = new Int32Array(users.length + 1);
      for (let k = 0; k < users.length; k++) {
        featuresForPairs(built.spec, built.state, users[k], movies[k], when, {
          values,
          row: starts[k],
        });
        starts[k + 1] = starts[k] + movies[k].length;
      }
      return { values, rows, starts };
    },
    async score(batch, meanwhile) {
      const { values, rows, starts } = batch as {
        values: Float32Array;
        rows: number;
        starts: Int32Array;
      };
      let probs: Float32Array;
      if (hasParallelPredict(model)) {
        probs = await model.predictParallel(values, rows, threads, meanwhile);
      } else {
        meanwhile?.();
        probs = model.predict(values, rows);
      }
      return Array.from({ length: starts.length - 1 }, (_, k) =>
        probs.subarray(starts[k], starts[k + 1]),
      );
    },
  };
}
