/** Neighbourhood models on ratings: item-kNN. */
export * from "./item-knn.js";
