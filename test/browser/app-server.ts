/**
 * The server the browser tests drive: the real product, started the way a user starts it.
 * In a temporary folder (its own store dir, so live ratings made by the tests never touch the
 * machine's default store) it runs `cinerank train` on ml-latest-small with fast settings
 * (logistic regression + the baselines, no CF feature sources, 60 ranking users), then
 * `cinerank metadata --file` for a few movies (overviews written for the tests, posters from a
 * local poster server), then `cinerank serve --run … --port 0`, and waits until /api/health
 * reports the models loaded.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "./browser.js";
import { type PosterServer, startPosterServer } from "./poster-server.js";

export interface AppServer {
  url: string;
  /** What the tests run against, for the test log. */
  kind: string;
  /** Seconds spent training the run. */
  trainSeconds: number;
  close(): Promise<void>;
}

export const dataDir = join(projectRoot, "..", "shared", "data", "ml-latest-small");
const bin = join(projectRoot, "bin", "cinerank.js");
const run = promisify(execFile);

/** Movies given test metadata: [movieId, title on the poster, overview (written for the tests)]. */
export const TEST_METADATA: [number, string, string][] = [
  [1, "Toy Story", "Test overview: a cowboy doll feels replaced when a space-ranger toy arrives."],
  [
    3114,
    "Toy Story 2",
    "Test overview: the toys cross town to rescue a friend taken by a collector.",
  ],
  [
    318,
    "The Shawshank Redemption",
    "Test overview: two prisoners build a friendship over decades.",
  ],
  [356, "Forrest Gump", "Test overview: a kind man drifts through decades of history."],
  [296, "Pulp Fiction", "Test overview: intertwined stories of crime in Los Angeles."],
  [2571, "The Matrix", "Test overview: a hacker learns the world is a simulation."],
];

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const r = await run(process.execPath, [bin, ...args], { env, maxBuffer: 64 << 20 });
    return r.stdout;
  } catch (e) {
    const err = e as { stderr?: string; code?: number };
    throw new Error(`cinerank ${args[0]} failed (exit ${err.code}): ${err.stderr ?? String(e)}`);
  }
}

function waitForUrl(child: ChildProcess, log: { text: string }): Promise<string> {
  return new Promise((ok, fail) => {
    const onData = () => {
      const m = /serving on (http:\/\/[^\s(]+)/.exec(log.text);
      if (m) ok(m[1].replace(/\/$/, ""));
    };
    child.stderr?.on("data", onData);
    child.once("exit", (code) => fail(new Error(`cinerank serve exited (${code}): ${log.text}`)));
  });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  log: { text: string },
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`cinerank serve exited (${child.exitCode}): ${log.text}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`cinerank serve did not become ready in ${ms / 1000} s: ${log.text}`);
}

export async function startAppServer(): Promise<AppServer> {
  const tmp = mkdtempSync(join(tmpdir(), "cinerank-web-e2e-"));
  const env = { ...process.env, CINERANK_STORE_DIR: join(tmp, "stores") };
  const artifacts = join(tmp, "artifacts");
  let posters: PosterServer | null = null;
  let child: ChildProcess | null = null;
  const cleanup = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    await posters?.close();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const t0 = performance.now();
    await cli(
      [
        "train",
        "--data",
        dataDir,
        "--models",
        "lr",
        "--out",
        artifacts,
        "--quiet",
        "--ranking-users",
        "60",
        "--top-n",
        "0",
        // No collaborative feature sources: the fastest run that still has every part the
        // app shows (the model, curves, importances, content similarity, kNN at serve time).
        "--cf",
        "none",
      ],
      env,
    );
    const trainSeconds = (performance.now() - t0) / 1000;

    posters = await startPosterServer(new Map(TEST_METADATA.map(([id, title]) => [id, title])));
    const metaFile = join(tmp, "metadata.json");
    writeFileSync(
      metaFile,
      JSON.stringify(
        TEST_METADATA.map(([movieId, , overview]) => ({
          movieId,
          overview,
          posterPath: `${posters!.url}/poster/${movieId}.svg`,
        })),
      ),
    );
    await cli(["metadata", "--data", dataDir, "--file", metaFile, "--quiet"], env);

    const log = { text: "" };
    child = spawn(
      process.execPath,
      [bin, "serve", "--run", artifacts, "--port", "0", "--log-level", "warn"],
      {
        env,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    child.stderr?.on("data", (d: Buffer) => {
      log.text = (log.text + d.toString()).slice(-20_000);
    });
    const url = await waitForUrl(child, log);
    await waitReady(url, child, log, 180_000);
    return {
      url,
      kind: "cinerank serve on an lr run trained on ml-latest-small",
      trainSeconds,
      close: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
