/**
 * Wraps a command action: turns CinerankErrors into a one-line message on stderr and a non-zero
 * exit code (2 for usage errors, 1 otherwise); anything else is an internal error with a stack.
 */
import { isCinerankError } from "../core/index.js";

export function runCommand<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (e) {
      if (isCinerankError(e)) {
        process.stderr.write(`cinerank: error [${e.code}]: ${e.message}\n`);
        process.exitCode = e.code === "ERR_USAGE" || e.code === "ERR_INVALID_ARGUMENT" ? 2 : 1;
      } else {
        process.stderr.write(`cinerank: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
        process.exitCode = 70;
      }
    }
  };
}
