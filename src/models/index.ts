export * from "./linear/index.js";
export * from "./model.js";
export * from "./baselines/index.js";
