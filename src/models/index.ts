export * from "./baselines/index.js";
export * from "./factorization/index.js";
export * from "./linear/index.js";
export * from "./model.js";
export * from "./neighbors/index.js";
export * from "./trees/index.js";
