/**
 * `cinerank recommend --user ID [-k 10] [--genres ...] [--min-year Y] [--max-year Y]
 * [--min-ratings N] [--run DIR] [--json]`: top-k movies for a user with P(like) and reasons.
 * Unknown users get the cold-start (popularity-and-quality) list, flagged as such.
 */
import type { Command } from "commander";
import type { Recommendations } from "../../recommend/index.js";
import { runCommand } from "../run-command.js";
import {
  addRunOptions,
  openFromFlags,
  parseId,
  parseIntIn,
  parseList,
  printJson,
  type RunFlags,
} from "./run-options.js";

interface Flags extends RunFlags {
  user?: string;
  k: string;
  genres?: string;
  minYear?: string;
  maxYear?: string;
  minRatings?: string;
}

const STRATEGY: Record<string, string> = {
  model: "like-model on collaborative candidates",
  profile: "cold start: similar to the user's few ratings",
  popularity: "cold start: unknown user, popular and well-liked movies",
};

export function formatRecommendations(r: Recommendations): string {
  const out = [`Recommendations for user ${r.userId} (${STRATEGY[r.strategy]})`];
  for (const item of r.items) {
    const genres = item.genres.join(", ");
    out.push(
      `${String(item.rank).padStart(3)}. ${item.title}  [${genres}]  P(like) ${item.pLike.toFixed(3)}`,
    );
    for (const reason of item.reasons) out.push(`       - ${reason}`);
  }
  if (r.items.length === 0) out.push("  (no movie matches the filters)");
  return `${out.join("\n")}\n`;
}

export function register(program: Command): void {
  addRunOptions(
    program
      .command("recommend")
      .description("Top-k movies for a user, with P(like) and the reasons behind each")
      .requiredOption("--user <id>", "MovieLens userId (unknown ids get the cold-start list)")
      .option("-k, --k <n>", "number of movies, 1..100", "10")
      .option("--genres <list>", "comma-separated genres; keep movies having one of them")
      .option("--min-year <year>", "earliest release year")
      .option("--max-year <year>", "latest release year")
      .option("--min-ratings <n>", "minimum number of ratings a movie must have")
      .option("--json", "print one JSON object"),
  ).action(
    runCommand(async (f: Flags) => {
      const userId = parseId("user", f.user);
      const opts = {
        k: parseIntIn("k", f.k, 1, 100),
        genres: parseList(f.genres),
        minYear: parseIntIn("min-year", f.minYear, 1800, 2100),
        maxYear: parseIntIn("max-year", f.maxYear, 1800, 2100),
        minRatings: parseIntIn("min-ratings", f.minRatings, 0, 1e9),
      };
      const opened = await openFromFlags(f);
      try {
        const r = opened.recommender.recommend(userId, opts);
        if (f.json)
          printJson({ run: opened.metrics.runId, model: opened.metrics.chosen.key, ...r });
        else process.stdout.write(formatRecommendations(r));
      } finally {
        await opened.recommender.close();
      }
    }),
  );
}
