/**
 * The `cinerank` command line: commander program with one file per command (commands/).
 */
import { Command } from "commander";
import { readFileSync } from "node:fs";
import { commands } from "./commands/index.js";

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    return pkg.version as string;
  } catch {
    return "0.0.0";
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("cinerank")
    .description("Predict which movies a person will like (MovieLens) and recommend them.")
    .version(version())
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  program.exitOverride((err) => {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    throw err;
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith("commander.")) return;
    throw e;
  }
}
