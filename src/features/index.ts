export * from "./feature-matrix.js";
export * from "./pair-feature-source.js";
export * from "./text/csr-matrix.js";
export * from "./text/randomized-svd.js";
export * from "./text/symmetric-eigen.js";
