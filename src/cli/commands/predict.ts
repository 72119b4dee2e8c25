/**
 * `cinerank predict --user ID --movie ID[,ID...] [--run DIR] [--json]`: P(like) of a user for
 * given movies, through the same feature code and model as training.
 */
import type { Command } from "commander";
import { runCommand } from "../run-command.js";
import {
  addRunOptions,
  openFromFlags,
  parseId,
  parseIdList,
  printJson,
  type RunFlags,
} from "./run-options.js";

interface Flags extends RunFlags {
  user?: string;
  movie?: string;
}

export function register(program: Command): void {
  addRunOptions(
    program
      .command("predict")
      .description("P(like) of a user for one or more movies")
      .requiredOption("--user <id>", "MovieLens userId")
      .requiredOption("--movie <ids>", "MovieLens movieId(s), comma-separated")
      .option("--json", "print one JSON object"),
  ).action(
    runCommand(async (f: Flags) => {
      const userId = parseId("user", f.user);
      const movieIds = parseIdList("movie", f.movie);
      const opened = await openFromFlags(f);
      try {
        const rec = opened.recommender;
        const r = rec.predict(userId, movieIds);
        if (f.json) {
          printJson({ run: opened.metrics.runId, model: opened.metrics.chosen.key, ...r });
        } else {
          const lines = r.predictions.map(
            (p) => `${p.pLike.toFixed(4)}  ${p.movieId}  ${rec.movie(p.movieId).title}`,
          );
          process.stdout.write(
            `P(like) for user ${userId} (model ${opened.metrics.chosen.key})\n${lines.join("\n")}\n`,
          );
        }
      } finally {
        await opened.recommender.close();
      }
    }),
  );
}
