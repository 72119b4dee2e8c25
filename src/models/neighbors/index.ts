/** Neighbourhood models on ratings: item-kNN. */
export * from "./item-knn.js";
export * from "./knn-feature-source.js";
