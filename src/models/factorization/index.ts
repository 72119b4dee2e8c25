/** Collaborative factorisation models on ratings: biased MF (ALS), implicit MF, truncated SVD. */
export * from "./biased-mf.js";
export * from "./implicit-mf.js";
export * from "./mf-feature-source.js";
export * from "./pack.js";
export * from "./rating-errors.js";
export * from "./rating-triples.js";
export * from "./sparse-rows.js";
export * from "./truncated-svd-mf.js";
