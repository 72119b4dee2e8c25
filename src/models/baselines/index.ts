export * from "./like-rate-baseline.js";
export * from "./popularity-ranking.js";
