// The shared like-model contract (test/contracts) run for the tree engine's families.
import type { ModelFamily } from "../src/models/model.js";
import { gbdtFamily, rfFamily } from "../src/models/trees/index.js";
import { runLikeModelContract } from "./contracts/like-model-contract.js";

runLikeModelContract(gbdtFamily as unknown as ModelFamily<object>, {
  config: { trees: 80, maxDepth: 4 },
});
runLikeModelContract(rfFamily as unknown as ModelFamily<object>, {
  config: { trees: 60, maxDepth: 10, minRowsPerLeaf: 3 },
});
