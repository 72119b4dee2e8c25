/**
 * Saving and loading fitted models inside a run folder. A model's bytes go to
 * `models/<key>.bin` (key = "<family>-<variant>"); loading asks the registered family to restore
 * it (family.load), so the registry must hold the family (import its module first).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CinerankError } from "../core/index.js";
import { getModel, type LikeModel } from "../models/index.js";
import type { RunFolder } from "./run-folder.js";

export function modelFile(key: string): string {
  return `models/${key}.bin`;
}

export async function saveModel(run: RunFolder, key: string, model: LikeModel): Promise<string> {
  return run.write(modelFile(key), model.serialize());
}

export async function loadModel(runDir: string, key: string, family: string): Promise<LikeModel> {
  const fam = getModel(family);
  if (!fam)
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `${join(runDir, modelFile(key))}: model family "${family}" is not registered`,
    );
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(runDir, modelFile(key))));
  } catch (e) {
    throw new CinerankError(
      "ERR_RUN_NOT_FOUND",
      `${join(runDir, modelFile(key))}: cannot read the model (${(e as Error).message})`,
    );
  }
  return fam.load(bytes);
}
