/** The "gbdt" model family: gradient-boosted trees as a like-model (ModelFamily contract). */
import type { FeatureMatrix } from "../../features/index.js";
import type { ModelFamily } from "../model.js";
import { defaultsOf, resolveConfig } from "./config-spec.js";
import { trainGbdt } from "./gbdt.js";
import { type GbdtConfig, gbdtSearchSpace, gbdtSpec } from "./gbdt-config.js";
import { TreeModel } from "./tree-model.js";

export const gbdtFamily: ModelFamily<GbdtConfig> = {
  name: "gbdt",
  description:
    "gradient-boosted trees (histogram engine, XGBoost-style), early stopping on validation",
  defaults: defaultsOf(gbdtSpec),
  searchSpace: gbdtSearchSpace,
  config(partial?: Partial<GbdtConfig>): GbdtConfig {
    return resolveConfig("gbdt", gbdtSpec, partial);
  },
  fit(train: FeatureMatrix, config: GbdtConfig, ctx) {
    return trainGbdt(asTable(train), config, {
      rng: ctx.rng,
      threads: ctx.threads,
      valid: ctx.valid ? asTable(ctx.valid) : undefined,
      names: train.names,
      onProgress: ctx.onProgress,
    });
  },
  load(bytes: Uint8Array): TreeModel {
    return TreeModel.load(bytes, "gbdt");
  },
};

/** A FeatureMatrix as the engine's table (no copy). */
export function asTable(m: FeatureMatrix): {
  values: Float32Array;
  rows: number;
  cols: number;
  labels: Uint8Array;
} {
  return { values: m.values, rows: m.rows, cols: m.cols, labels: m.labels };
}
