export * from "./api-types.js";
export * from "./backend.js";
export * from "./build-app.js";
export * from "./error-handler.js";
export * from "./models-response.js";
export * from "./recommender-backend.js";
export * from "./request-metrics.js";
export * from "./start-server.js";
