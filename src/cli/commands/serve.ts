/**
 * `cinerank serve [--port 3000] [--host 127.0.0.1] [--run DIR] [--data DIR]`: the HTTP API
 * and the web app. The server listens at once and loads the run in the background
 * (/api/health is 503 until then). CINERANK_API_KEY, when set, protects the ratings route.
 * SIGINT/SIGTERM shut down gracefully: in-flight requests finish, the store is released.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import type { Command } from "commander";
import { CinerankError } from "../../core/index.js";
import { datasetStats, openRecommender } from "../../recommend/index.js";
import { buildApp, modelsResponse, recommenderBackend, startServer } from "../../serve/index.js";
import { runCommand } from "../run-command.js";
import { addRunOptions, parseIntIn, type RunFlags } from "./run-options.js";

export interface ServeFlags extends RunFlags {
  cache: string;
  port: string;
  host: string;
  web?: string;
  logLevel: string;
  /** Scoring worker threads (default: one per core but one for tree models, none for others). */
  workers?: string;
  /** --heap-growth: percent the JS heap may grow past a full GC's survivors (0 = V8's own). */
  heapGrowth?: string;
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * Default --heap-growth. Under load the main thread promoted a few MB/s of request objects to
 * the old generation, and with V8's own limit (~1.1-1.8x what the last full GC kept, ~31 MB on
 * ml-latest-small) a full GC came every ~0.5-1.5 s; each stalls the main thread for ~30-50 ms
 * (marking steps + the final pause), and the requests in flight then make the latency tail.
 * 3x: one every ~5-10 s, for more heap between them. (bench:api, 5 alternating 8-s pairs, 2
 * cores: p99 / mean 1.55 against 1.81, median p99 59 against 63 ms.) Measured before the
 * scoring pool's slots and the 32 MB young generation `npm start` gives node, which leave
 * ~0.5 MB/s to promote in most runs: full GCs are rarer still, and this limit spaces the rest.
 */
export const DEFAULT_HEAP_GROWTH = 200;

/** The web app's build shipped with the package (web/dist), if it was built. */
export function defaultWebDist(): string | null {
  const dir = fileURLToPath(new URL("../../../../web/dist", import.meta.url));
  return existsSync(dir) ? dir : null;
}

export function register(program: Command): void {
  addRunOptions(
    program
      .command("serve")
      .description("HTTP API (+ web app at /) on a trained run; docs at /docs")
      .option("--port <n>", "port (0 = any free port)", "3000")
      .option("--host <addr>", "address to bind (127.0.0.1 = this machine only)", "127.0.0.1")
      .option("--web <dir>", "built web app folder to serve at / (default: the package's web/dist)")
      .option("--log-level <level>", `request log level: ${LEVELS.join(", ")}`, "info")
      .option(
        "--workers <n>",
        "worker threads that score recommendation candidates; the main thread scores too when they fall behind (0 = all on the main thread; default: one per core but one, at least one, for tree models; 0 for others)",
      )
      .option(
        "--cache <n>",
        "recommendation lists kept in memory (LRU, emptied by any new rating); 0 = off",
        "0",
      )
      .option(
        "--heap-growth <percent>",
        "how far the JavaScript heap may grow past what a full garbage collection kept before the next one (0 = V8's default); more = fewer full-GC pauses under load for more memory",
        String(DEFAULT_HEAP_GROWTH),
      ),
  ).action(runCommand(serveAction));
}

/** Serve a run until SIGINT/SIGTERM (also used by `cinerank start` after training). */
export async function serveAction(f: ServeFlags): Promise<void> {
  const port = parseIntIn("port", f.port, 0, 65535) ?? 3000;
  if (!LEVELS.includes(f.logLevel)) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `--log-level: expected one of ${LEVELS.join(", ")}`,
    );
  }
  const cacheSize = parseIntIn("cache", f.cache, 0, 10_000_000) ?? 0;
  const workers = parseIntIn("workers", f.workers, 0, 64) ?? "auto";
  const heapGrowth = parseIntIn("heap-growth", f.heapGrowth, 0, 1000) ?? DEFAULT_HEAP_GROWTH;
  const backend = openRecommender({
    run: f.run,
    data: f.data,
    store: f.store,
    config: { cacheSize },
    scoringWorkers: workers,
  }).then((o) =>
    recommenderBackend(o.recommender, {
      stats: datasetStats(o.dataset, o.metrics.split.threshold),
      models: modelsResponse(o.metrics),
    }),
  );
  const app = await buildApp({
    backend,
    apiKey: process.env.CINERANK_API_KEY || undefined,
    webDist: f.web ?? defaultWebDist(),
    logger: { level: f.quiet ? "warn" : f.logLevel },
  });
  const server = await startServer(app, { port, host: f.host });
  process.stderr.write(
    `cinerank: serving on ${server.url} (API docs ${server.url}/docs); loading ${f.run}...\n`,
  );
  // A run that cannot be loaded is fatal: stop serving and report it like any other error.
  let loadError: unknown = null;
  backend.then(
    () => {
      // Only once loaded: loading allocates far more than serving, and V8's own limits keep its
      // peak down (ml-20m: 1.97 GB RSS when ready with 200 from the start, 1.57 GB without).
      // V8 reads the flag whenever it sets the next full-GC limit, so it applies from the next
      // collection on.
      if (heapGrowth > 0) setFlagsFromString(`--heap-growing-percent=${heapGrowth}`);
      process.stderr.write("cinerank: models loaded, ready\n");
    },
    async (e: unknown) => {
      loadError = e;
      await server.close();
    },
  );
  await server.closed;
  if (loadError) throw loadError;
}
