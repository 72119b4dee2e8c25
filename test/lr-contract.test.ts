// The shared like-model contract (test/contracts) run for logistic regression ("lr").
import { logisticRegression } from "../src/models/linear/index.js";
import type { ModelFamily } from "../src/models/model.js";
import { runLikeModelContract } from "./contracts/like-model-contract.js";

runLikeModelContract(logisticRegression as unknown as ModelFamily<object>);
