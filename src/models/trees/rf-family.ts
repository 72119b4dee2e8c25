/** The "rf" model family: the random forest as a like-model (ModelFamily contract). */
import type { FeatureMatrix } from "../../features/index.js";
import type { ModelFamily } from "../model.js";
import { defaultsOf, resolveConfig } from "./config-spec.js";
import { asTable } from "./gbdt-family.js";
import { trainForest } from "./random-forest.js";
import { type RfConfig, rfSearchSpace, rfSpec } from "./rf-config.js";
import { TreeModel } from "./tree-model.js";

export const rfFamily: ModelFamily<RfConfig> = {
  name: "rf",
  description:
    "random forest (bootstrap, sqrt features per split, averaged class probabilities; OOB score)",
  defaults: defaultsOf(rfSpec),
  searchSpace: rfSearchSpace,
  config(partial?: Partial<RfConfig>): RfConfig {
    return resolveConfig("rf", rfSpec, partial);
  },
  fit(train: FeatureMatrix, config: RfConfig, ctx) {
    return trainForest(asTable(train), config, {
      rng: ctx.rng,
      threads: ctx.threads,
      names: train.names,
      onProgress: ctx.onProgress,
    });
  },
  load(bytes: Uint8Array): TreeModel {
    return TreeModel.load(bytes, "rf");
  },
};
