/**
 * `cinerank report`: re-render a stored run's self-contained report.html from its metrics.json
 * (written atomically, into the run folder unless --out says otherwise).
 */
import type { Command } from "commander";
import { join } from "node:path";
import { readRunMetrics, renderReportHtml } from "../../artifacts/index.js";
import { writeFileAtomic } from "../../core/index.js";
import { runCommand } from "../run-command.js";

export function register(program: Command): void {
  program
    .command("report")
    .description("Re-render report.html of a stored run (default: artifacts/latest)")
    .option(
      "--run <dir>",
      "a run folder, or an artifacts folder (its latest run is used)",
      "artifacts",
    )
    .option("--out <file>", "where to write the page (default: <run>/report.html)")
    .action(
      runCommand(async (flags: { run: string; out?: string }) => {
        const { runDir, metrics } = await readRunMetrics(flags.run);
        const out = flags.out ?? join(runDir, "report.html");
        await writeFileAtomic(out, renderReportHtml(metrics));
        process.stdout.write(`${out}\n`);
      }),
    );
}
