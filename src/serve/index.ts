export * from "./api-types.js";
export * from "./backend.js";
export * from "./build-app.js";
export * from "./error-handler.js";
export * from "./request-metrics.js";
export * from "./start-server.js";
