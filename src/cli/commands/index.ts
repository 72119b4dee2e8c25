/**
 * Every CLI command, one file each. Each module exports `register(program)`.
 * Add a command: write `src/cli/commands/<name>.ts` and list it here.
 */
import type { Command } from "commander";

type Register = (program: Command) => void;

export const commands: Register[] = [];
