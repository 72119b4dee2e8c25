/**
 * `cinerank evaluate`: print a stored run's comparison table (or its metrics as one JSON object)
 * without refitting anything.
 */
import type { Command } from "commander";
import { readRunMetrics } from "../../artifacts/index.js";
import { comparisonMarkdown } from "../../evaluation/index.js";
import { runCommand } from "../run-command.js";

export function register(program: Command): void {
  program
    .command("evaluate")
    .description("Print the comparison table of a stored run (default: artifacts/latest)")
    .option(
      "--run <dir>",
      "a run folder, or an artifacts folder (its latest run is used)",
      "artifacts",
    )
    .option("--json", "print the run's metrics as one JSON object")
    .action(
      runCommand(async (flags: { run: string; json?: boolean }) => {
        const { runDir, metrics } = await readRunMetrics(flags.run);
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ runDir, ...metrics }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v))}\n`,
          );
          return;
        }
        const c = metrics.chosen;
        process.stdout.write(
          `run ${metrics.runId} (${runDir})\n\n${comparisonMarkdown(metrics.rows)}\nchosen model: ${c.key} (val AUC ${c.valAuc.toFixed(4)}, test AUC ${c.testAuc.toFixed(4)}, threshold ${c.threshold.toFixed(3)})\n`,
        );
      }),
    );
}
