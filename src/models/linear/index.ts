/** Linear like-models: logistic regression (family "lr"), registered on import. */
import { registerModel } from "../model.js";
import { logisticRegression } from "./logistic-regression.js";

export * from "./cholesky.js";
export * from "./logistic-regression.js";
export * from "./standardizer.js";
export * from "./validate-config.js";

registerModel(logisticRegression);
