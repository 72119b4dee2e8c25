/**
 * A small synthetic MovieLens folder (ml-latest-small layout: movies.csv, ratings.csv) for
 * end-to-end tests, written to a temporary directory. Ratings follow a user bias, a movie bias
 * and a user-genre taste, so models have something real to learn. Deterministic for a seed.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng } from "../../src/core/index.js";

const GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi"];

export async function writeSyntheticMovieLens(
  dir: string,
  opts: { users?: number; movies?: number; perUser?: number; seed?: number } = {},
): Promise<void> {
  const nU = opts.users ?? 120;
  const nM = opts.movies ?? 150;
  const per = opts.perUser ?? 40;
  const rng = new Rng(opts.seed ?? 11);
  await mkdir(dir, { recursive: true });
  const movieGenres: number[][] = [];
  const lines = ["movieId,title,genres"];
  const movieBias: number[] = [];
  for (let m = 0; m < nM; m++) {
    const g = [rng.int(GENRES.length)];
    if (rng.next() < 0.4) g.push(rng.int(GENRES.length));
    const uniq = [...new Set(g)];
    movieGenres.push(uniq);
    movieBias.push(rng.normal() * 0.7);
    const title =
      m % 7 === 0 ? `"Movie ${m}, The (${1970 + (m % 50)})"` : `Movie ${m} (${1970 + (m % 50)})`;
    lines.push(`${m + 1},${title},${uniq.map((i) => GENRES[i]).join("|")}`);
  }
  await writeFile(join(dir, "movies.csv"), `${lines.join("\n")}\n`);
  const r = ["userId,movieId,rating,timestamp"];
  // popularity skew: low movie ids are rated more often
  for (let u = 0; u < nU; u++) {
    const bias = rng.normal() * 0.6;
    const taste = GENRES.map(() => rng.normal() * 0.8);
    const seen = new Set<number>();
    const count = Math.max(5, Math.round(per * (0.5 + rng.next())));
    while (seen.size < Math.min(count, nM)) seen.add(Math.floor(nM * rng.next() ** 1.6));
    for (const m of seen) {
      const aff = movieGenres[m].reduce((s, g) => s + taste[g], 0) / movieGenres[m].length;
      const score = 3.4 + bias + movieBias[m] + aff + 0.5 * rng.normal();
      const rating = Math.min(5, Math.max(0.5, Math.round(score * 2) / 2));
      r.push(`${u + 1},${m + 1},${rating},${1_300_000_000 + u * 86400 + rng.int(86400 * 300)}`);
    }
  }
  await writeFile(join(dir, "ratings.csv"), `${r.join("\n")}\n`);
}
