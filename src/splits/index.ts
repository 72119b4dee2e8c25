export * from "./assign-folds.js";
export { groupBy } from "./assign-per-user.js";
export * from "./export-split.js";
export * from "./split.js";
export { likeRate, splitDataset } from "./split-dataset.js";
