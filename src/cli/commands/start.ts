/**
 * `cinerank start` (what `npm start` runs): `cinerank train` on $CINERANK_DATA or ./data,
 * downloading ml-latest-small into ./data first when no dataset is there and the network allows.
 * Takes every `train` option.
 */
import type { Command } from "commander";
import { findDataDir } from "../../data/index.js";
import { runCommand } from "../run-command.js";
import { downloadAction } from "./download.js";
import { defaultDataDir } from "./inspect.js";
import { addTrainOptions, printTrainResult, runTrain, type TrainFlags } from "./train.js";

async function startAction(flags: TrainFlags): Promise<void> {
  const data = flags.data ?? defaultDataDir();
  if (!findDataDir(data)) {
    process.stderr.write(`no dataset in ${data}; downloading ml-latest-small there\n`);
    await downloadAction("ml-latest-small", { dir: data, quiet: flags.quiet });
  }
  const r = await runTrain({ ...flags, data });
  printTrainResult(r, Boolean(flags.json));
}

export function register(program: Command): void {
  addTrainOptions(
    program
      .command("start")
      .description(
        "Run the main job: download ml-latest-small if no dataset is configured, then train",
      ),
  ).action(runCommand(startAction));
}
