/**
 * Every CLI command, one file each. Each module exports `register(program)`.
 * Add a command: write `src/cli/commands/<name>.ts` and list it here.
 */
import type { Command } from "commander";
import { register as download } from "./download.js";
import { register as evaluate } from "./evaluate.js";
import { register as features } from "./features.js";
import { register as generate } from "./generate.js";
import { register as inspect } from "./inspect.js";
import { register as metadata } from "./metadata.js";
import { register as predict } from "./predict.js";
import { register as rate } from "./rate.js";
import { register as recommend } from "./recommend.js";
import { register as report } from "./report.js";
import { register as serve } from "./serve.js";
import { register as similar } from "./similar.js";
import { register as start } from "./start.js";
import { register as train } from "./train.js";

type Register = (program: Command) => void;

export const commands: Register[] = [
  inspect,
  download,
  generate,
  start,
  metadata,
  features,
  recommend,
  similar,
  predict,
  rate,
  serve,
  train,
  evaluate,
  report,
];
