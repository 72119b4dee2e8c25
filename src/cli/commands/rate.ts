/**
 * `cinerank rate --user ID --movie ID --rating R [--run DIR | --data DIR] [--json]`: adds a
 * rating (half-star scale 0.5..5) to the store's added ratings. A running server started
 * later, `cinerank recommend` and the next `cinerank train` all include it. A re-rating
 * replaces the earlier value. Needs no trained model: only the dataset and its store.
 */
import type { Command } from "commander";
import { resolveRunDir } from "../../artifacts/index.js";
import { CinerankError } from "../../core/index.js";
import { loadDataset } from "../../data/index.js";
import { checkRating, readServingMetrics, StoreRatingLog } from "../../recommend/index.js";
import { createProgress } from "../progress-bar.js";
import { runCommand } from "../run-command.js";
import { addRunOptions, parseId, printJson, type RunFlags } from "./run-options.js";

interface Flags extends RunFlags {
  user?: string;
  movie?: string;
  rating?: string;
}

export function register(program: Command): void {
  addRunOptions(
    program
      .command("rate")
      .description(
        "Add a user's rating (persisted in the store; used by recommend, serve and the next train)",
      )
      .requiredOption("--user <id>", "MovieLens userId (new ids create a new user)")
      .requiredOption("--movie <id>", "MovieLens movieId")
      .requiredOption("--rating <r>", "rating on the half-star scale 0.5, 1, ..., 5")
      .option("--json", "print one JSON object"),
  ).action(
    runCommand(async (f: Flags) => {
      const userId = parseId("user", f.user);
      const movieId = parseId("movie", f.movie);
      const rating = Number(f.rating);
      if (f.rating === undefined || f.rating.trim() === "") checkRating(Number.NaN, "--rating");
      checkRating(rating, "--rating");
      let data = f.data;
      if (!data) {
        const metrics = await readServingMetrics(await resolveRunDir(f.run));
        data = typeof metrics.options.data === "string" ? metrics.options.data : undefined;
        if (!data)
          throw new CinerankError(
            "ERR_USAGE",
            "the run does not record its data folder; pass --data DIR",
          );
      }
      const progress = createProgress({ quiet: f.quiet || f.json });
      let loaded: Awaited<ReturnType<typeof loadDataset>>;
      try {
        loaded = await loadDataset(data, { store: f.store, onProgress: progress.report });
      } finally {
        progress.stop();
      }
      const m = loaded.dataset.movies.index(movieId);
      if (m < 0) {
        throw new CinerankError(
          "ERR_UNKNOWN_MOVIE",
          `--movie: movieId ${movieId} is not in ${data}`,
          { field: "movie" },
        );
      }
      const timestamp = Math.floor(Date.now() / 1000);
      await new StoreRatingLog(loaded.store.path).append([{ userId, movieId, rating, timestamp }]);
      const title = loaded.dataset.movieInfo.title[m];
      if (f.json)
        printJson({ userId, movieId, rating, timestamp, title, store: loaded.store.path });
      else
        process.stdout.write(
          `Added: user ${userId} rated ${title} ${rating} (store ${loaded.store.path})\n`,
        );
    }),
  );
}
