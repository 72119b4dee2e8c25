import { binaryLogloss } from "./binary-logloss.js";
import type { Objective, ObjectiveName } from "./objective.js";
import { squaredError } from "./squared-error.js";

export type { Objective, ObjectiveName } from "./objective.js";
export { binaryLogloss, squaredError };

export function objectiveFor(name: ObjectiveName): Objective {
  return name === "binary" ? binaryLogloss : squaredError;
}
