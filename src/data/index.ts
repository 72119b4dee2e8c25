export * from "./dataset.js";
export * from "./genres.js";
