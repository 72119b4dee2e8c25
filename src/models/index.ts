export * from "./linear/index.js";
export * from "./model.js";
