/** Public library surface of cinerank. */
export * from "./core/index.js";
export * from "./data/index.js";
export * from "./splits/index.js";
export * from "./features/index.js";
export * from "./models/index.js";
export * from "./recommend/index.js";
export * from "./serve/index.js";
