/**
 * `cinerank metadata`: gives movies posters and overviews. `--tmdb-key KEY` fetches them from
 * TMDB (API v3) through each movie's tmdbId, within concurrency and rate limits, with retries,
 * caching answers in the data folder's store so a re-run fetches only what is missing;
 * `--file FILE` imports the same fields from a local CSV/JSON file instead. The API and the web
 * app show them when present (and look finished without them).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { CinerankError } from "../../core/index.js";
import {
  fetchTmdbMetadata,
  importMetadataFile,
  loadDataset,
  openStore,
  resolveDataDir,
  TMDB_API_BASE,
} from "../../data/index.js";
import { createProgress } from "../progress-bar.js";
import { defaultDataDir } from "./inspect.js";
import { runCommand } from "../run-command.js";

interface MetadataOptions {
  data?: string;
  store?: string;
  tmdbKey?: string;
  file?: string;
  concurrency: string;
  rate: string;
  retries: string;
  limit?: string;
  tmdbUrl: string;
  json?: boolean;
  quiet?: boolean;
}

function intOption(name: string, v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < lo || n > hi)
    throw new CinerankError(
      "ERR_USAGE",
      `--${name} must be a whole number in ${lo}..${hi}, got "${v}"`,
    );
  return n;
}

export function register(program: Command): void {
  program
    .command("metadata")
    .description(
      "Add posters and overviews: fetch from TMDB (--tmdb-key) or import a CSV/JSON file (--file).",
    )
    .option("--data <dir>", "MovieLens data folder (default: $CINERANK_DATA, else ./data)")
    .option("--store <path>", "DuckDB store file (default: the data folder's store in the cache)")
    .option("--tmdb-key <key>", "TMDB API v3 key or v4 read token (default: $TMDB_API_KEY)")
    .option("--file <file>", "import overview/posterPath per movieId from a .csv or .json file")
    .option("--concurrency <n>", "TMDB requests in flight at once (1..64)", "4")
    .option("--rate <n>", "TMDB requests started per second (1..50)", "20")
    .option("--retries <n>", "retries per movie after 429/5xx/network errors (0..10)", "3")
    .option("--limit <n>", "fetch at most this many movies this run")
    .option("--tmdb-url <url>", "TMDB API root", TMDB_API_BASE)
    .option("--json", "print the summary as JSON")
    .option("--quiet", "no progress output")
    .action(
      runCommand(async (opts: MetadataOptions) => {
        const key = opts.tmdbKey ?? process.env.TMDB_API_KEY;
        if (opts.file && key && opts.tmdbKey)
          throw new CinerankError("ERR_USAGE", "give either --tmdb-key or --file, not both");
        if (!opts.file && !key)
          throw new CinerankError(
            "ERR_USAGE",
            "give --tmdb-key KEY (or set TMDB_API_KEY) or --file FILE",
          );
        const concurrency = intOption("concurrency", opts.concurrency, 1, 64);
        const rate = intOption("rate", opts.rate, 1, 50);
        const retries = intOption("retries", opts.retries, 0, 10);
        const limit =
          opts.limit === undefined ? undefined : intOption("limit", opts.limit, 1, 10_000_000);

        const progress = createProgress({ quiet: opts.quiet || opts.json });
        // Make sure the store exists and matches the files (built on first use).
        const loaded = await loadDataset(resolveDataDir(opts.data ?? defaultDataDir()), {
          store: opts.store,
          onProgress: progress.report,
        });
        const store = await openStore(loaded.store.path, { readOnly: false });
        try {
          if (opts.file) {
            const s = await importMetadataFile(store.conn, resolve(opts.file));
            progress.stop();
            if (opts.json) process.stdout.write(`${JSON.stringify({ source: "file", ...s })}\n`);
            else
              process.stdout.write(
                `Imported metadata for ${s.rows} movies (${s.withPoster} with a poster, ${s.withOverview} with an overview) into ${loaded.store.path}\n`,
              );
            return;
          }
          const s = await fetchTmdbMetadata(store.conn, {
            apiKey: key!,
            baseUrl: opts.tmdbUrl,
            concurrency,
            ratePerSecond: rate,
            retries,
            limit,
            onProgress: progress.report,
          });
          progress.stop();
          if (opts.json) process.stdout.write(`${JSON.stringify({ source: "tmdb", ...s })}\n`);
          else {
            process.stdout.write(
              `TMDB: ${s.fetched} fetched, ${s.notFound} not found, ${s.failed} failed` +
                `${s.skipped ? `, ${s.skipped} left for later (--limit)` : ""} of ${s.missing} movies missing metadata` +
                ` (${s.requests} requests in ${s.seconds.toFixed(1)} s)\n`,
            );
            if (s.failed)
              process.stdout.write("Run the command again to retry the failed movies.\n");
          }
          if (s.failed && s.fetched + s.notFound === 0 && s.missing > 0)
            throw new CinerankError(
              "ERR_DOWNLOAD",
              `every TMDB request failed (is ${opts.tmdbUrl} reachable?)`,
            );
        } finally {
          store.close();
        }
      }),
    );
}
