/** Public library surface of cinerank. */
export * from "./core/index.js";
export * from "./data/index.js";
export * from "./splits/index.js";
export * from "./features/index.js";
export * from "./models/index.js";
export * from "./evaluation/index.js";
// models/trees also exports a rocAuc (its synthetic-table helper); the root one is evaluation's.
export { rocAuc } from "./evaluation/index.js";
export * from "./tuning/index.js";
export * from "./artifacts/index.js";
export * from "./recommend/index.js";
export * from "./serve/index.js";
