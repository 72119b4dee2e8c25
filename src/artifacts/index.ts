export * from "./model-store.js";
export * from "./pipeline/compare-models.js";
export * from "./pipeline/dataset-overview.js";
export * from "./report-html.js";
export * from "./run-folder.js";
export * from "./run-metrics.js";
export * from "./svg-charts.js";
