/**
 * `cinerank start` (what `npm start` runs): for now, `inspect` on $CINERANK_DATA or ./data,
 * downloading ml-latest-small into ./data first when no dataset is there and the network allows.
 */
import type { Command } from "commander";
import { findDataDir } from "../../data/index.js";
import { runCommand } from "../run-command.js";
import { downloadAction } from "./download.js";
import { addDataOptions, defaultDataDir, type InspectOptions, inspectAction } from "./inspect.js";

async function startAction(opts: InspectOptions): Promise<void> {
  const data = opts.data ?? defaultDataDir();
  if (!findDataDir(data)) {
    process.stderr.write(`no dataset in ${data}; downloading ml-latest-small there\n`);
    await downloadAction("ml-latest-small", { dir: data, quiet: opts.quiet });
  }
  await inspectAction({ ...opts, data });
}

export function register(program: Command): void {
  addDataOptions(
    program
      .command("start")
      .description("Run the main job (for now: download if needed, then inspect)"),
  )
    .option("--json", "print one JSON object instead of text")
    .action(runCommand(startAction));
}
