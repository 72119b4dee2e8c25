export * from "./feature-matrix.js";
