export * from "./dataset.js";
export * from "./genres.js";
export * from "./load-dataset.js";
export * from "./open-store.js";
export * from "./release-files.js";
export * from "./store-location.js";
export * from "./title-year.js";
export * from "./validation-report.js";
