/**
 * `cinerank start` (what `npm start` runs): `cinerank train` on $CINERANK_DATA or ./data,
 * downloading ml-latest-small into ./data first when no dataset is there and the network allows,
 * then `cinerank serve` on the new run (HTTP API + web app) unless --no-serve.
 * Takes every `train` option plus the serve address.
 */
import type { Command } from "commander";
import { findDataDir } from "../../data/index.js";
import { runCommand } from "../run-command.js";
import { downloadAction } from "./download.js";
import { defaultDataDir } from "./inspect.js";
import { serveAction } from "./serve.js";
import { addTrainOptions, printTrainResult, runTrain, type TrainFlags } from "./train.js";

interface StartFlags extends TrainFlags {
  serve: boolean;
  port: string;
  host: string;
}

async function startAction(flags: StartFlags): Promise<void> {
  const data = flags.data ?? defaultDataDir();
  if (!findDataDir(data)) {
    process.stderr.write(`no dataset in ${data}; downloading ml-latest-small there\n`);
    await downloadAction("ml-latest-small", { dir: data, quiet: flags.quiet });
  }
  const r = await runTrain({ ...flags, data });
  printTrainResult(r, Boolean(flags.json));
  if (!flags.serve) return;
  await serveAction({
    run: r.runDir,
    data,
    store: flags.store,
    quiet: flags.quiet,
    port: flags.port,
    host: flags.host,
    logLevel: "info",
    cache: "0",
  });
}

export function register(program: Command): void {
  addTrainOptions(
    program
      .command("start")
      .description(
        "Run the main job: download ml-latest-small if no dataset is configured, train, then serve the API and web app",
      )
      .option("--no-serve", "stop after training (do not start the server)")
      .option("--port <n>", "port of the server started after training", "3000")
      .option("--host <addr>", "address the server binds", "127.0.0.1"),
  ).action(runCommand(startAction));
}
