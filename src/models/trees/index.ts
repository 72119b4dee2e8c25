/**
 * The histogram tree engine: gradient boosting ("gbdt") and random forest ("rf") on one grower,
 * usable on any dense Float32Array table (NaN = missing) and registered as model families.
 */
import { registerModel } from "../model.js";
import { gbdtFamily } from "./gbdt-family.js";
import { rfFamily } from "./rf-family.js";

export { type BinMapper, applyBins, fitBins } from "./binning.js";
export { type GbdtConfig, gbdtSearchSpace, gbdtSpec } from "./gbdt-config.js";
export { trainGbdt, type TrainOptions } from "./gbdt.js";
export { gbdtFamily } from "./gbdt-family.js";
export {
  binaryLogloss,
  type Objective,
  type ObjectiveName,
  squaredError,
} from "./objectives/index.js";
export { PackedForest } from "./packed-tree.js";
export { setPredictThreads } from "./predict-pool.js";
export { trainForest } from "./random-forest.js";
export { type RfConfig, rfSearchSpace, rfSpec } from "./rf-config.js";
export { rfFamily } from "./rf-family.js";
export { DEFAULT_SUBSET_ENTRIES, FeatureSubset, type SubsetExplainer, TreeShap } from "./shap.js";
export { SharedSubset } from "./shared-subset.js";
export { ForestSpecializer } from "./forest-specializer.js";
export { syntheticTable } from "./synthetic-table.js";
export { TreeModel, type TreeModelHeader } from "./tree-model.js";
export type { TreeTable } from "./tree-table.js";

registerModel(gbdtFamily);
registerModel(rfFamily);
