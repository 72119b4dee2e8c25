export * from "./search-configs.js";
export * from "./tune-model.js";
