/**
 * `cinerank similar (--movie ID | --title TEXT) [-k 10] [--method blended] [--content-weight
 * 0.5] [--run DIR] [--json]`: movies similar to one movie by content embedding, collaborative
 * signal, or a blend. A title is searched case- and accent-insensitively ("toy story",
 * "the matrix").
 */
import type { Command } from "commander";
import { CinerankError } from "../../core/index.js";
import type { SimilarityMethod, SimilarResult } from "../../recommend/index.js";
import { runCommand } from "../run-command.js";
import {
  addRunOptions,
  openFromFlags,
  parseId,
  parseIntIn,
  printJson,
  type RunFlags,
} from "./run-options.js";

interface Flags extends RunFlags {
  movie?: string;
  title?: string;
  k: string;
  method: string;
  contentWeight?: string;
}

const METHODS = ["content", "collaborative", "blended"];

export function formatSimilar(r: SimilarResult): string {
  const out = [`Movies similar to ${r.movie.title} (${r.method})`];
  r.items.forEach((item, i) => {
    const parts = [`score ${item.score.toFixed(3)}`];
    if (item.contentScore !== null) parts.push(`content ${item.contentScore.toFixed(3)}`);
    if (item.collaborativeScore !== null)
      parts.push(`collaborative ${item.collaborativeScore.toFixed(3)}`);
    out.push(
      `${String(i + 1).padStart(3)}. ${item.title}  [${item.genres.join(", ")}]  ${parts.join(", ")}`,
    );
  });
  return `${out.join("\n")}\n`;
}

export function register(program: Command): void {
  addRunOptions(
    program
      .command("similar")
      .description("Movies similar to a movie (by id or title): content, collaborative or blended")
      .option("--movie <id>", "MovieLens movieId")
      .option("--title <text>", "title to search (case/accent-insensitive; best match is used)")
      .option("-k, --k <n>", "number of movies, 1..100", "10")
      .option("--method <m>", "content | collaborative | blended", "blended")
      .option("--content-weight <w>", "content share of the blend, 0..1 (default 0.5)")
      .option("--json", "print one JSON object"),
  ).action(
    runCommand(async (f: Flags) => {
      if ((f.movie === undefined) === (f.title === undefined)) {
        throw new CinerankError("ERR_USAGE", "give exactly one of --movie ID or --title TEXT");
      }
      if (!METHODS.includes(f.method)) {
        throw new CinerankError(
          "ERR_INVALID_ARGUMENT",
          `--method: expected one of ${METHODS.join(", ")}, got "${f.method}"`,
        );
      }
      let contentWeight: number | undefined;
      if (f.contentWeight !== undefined) {
        contentWeight = Number(f.contentWeight);
        if (f.contentWeight.trim() === "" || !(contentWeight >= 0 && contentWeight <= 1)) {
          throw new CinerankError(
            "ERR_INVALID_ARGUMENT",
            `--content-weight: expected a number in 0..1, got "${f.contentWeight}"`,
          );
        }
      }
      const opts = {
        k: parseIntIn("k", f.k, 1, 100),
        method: f.method as SimilarityMethod,
        contentWeight,
      };
      const movieId = f.movie !== undefined ? parseId("movie", f.movie) : undefined;
      const opened = await openFromFlags(f);
      try {
        const rec = opened.recommender;
        const r =
          movieId !== undefined
            ? rec.similar(movieId, opts)
            : rec.similarByTitle(f.title ?? "", opts);
        if (f.json) printJson(r);
        else process.stdout.write(formatSimilar(r));
      } finally {
        await opened.recommender.close();
      }
    }),
  );
}
