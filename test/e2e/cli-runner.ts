/**
 * Runs the built `cinerank` binary in a child process for end-to-end tests, with its DuckDB
 * store cache in a temporary folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// dist/test/e2e/cli-runner.js -> project root
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const BIN = resolve(ROOT, "bin", "cinerank.js");
export const ML_LATEST_SMALL = resolve(ROOT, "..", "shared", "data", "ml-latest-small");

export function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const p = startCli(args, env);
    let stdout = "";
    let stderr = "";
    p.stdout?.on("data", (d) => {
      stdout += d;
    });
    p.stderr?.on("data", (d) => {
      stderr += d;
    });
    p.on("error", rej);
    p.on("close", (code) => res({ code, stdout, stderr }));
  });
}
