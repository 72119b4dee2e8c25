export * from "./atomic-write.js";
export * from "./errors.js";
export * from "./id-map.js";
export * from "./progress.js";
export * from "./rng.js";
