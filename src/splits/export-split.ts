/**
 * Export a split as CSV (userId,movieId,timestamp,part) so that any other tool can re-run on
 * exactly the same rows. Streams in chunks: 20M rows never become one string.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import { tempPathFor } from "../core/index.js";
import type { Dataset } from "../data/index.js";
import { PART_NAMES, type Split } from "./split.js";

export const SPLIT_CSV_HEADER = "userId,movieId,timestamp,part";

/** The CSV lines of rows [from, to) (every rating, dropped ones with part "dropped"). */
export function splitCsvLines(dataset: Dataset, split: Split, from: number, to: number): string {
  const r = dataset.ratings;
  let s = "";
  for (let i = from; i < to; i++) {
    s += `${dataset.users.id(r.user[i])},${dataset.movies.id(r.movie[i])},${r.timestamp[i]},${PART_NAMES[split.part[i]]}\n`;
  }
  return s;
}

/** Write the split to `path` atomically (temp file + rename). */
export async function writeSplitCsv(path: string, dataset: Dataset, split: Split): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const out = createWriteStream(tmp);
  try {
    out.write(`${SPLIT_CSV_HEADER}\n`);
    const n = split.part.length;
    const chunk = 65536;
    for (let from = 0; from < n; from += chunk) {
      if (!out.write(splitCsvLines(dataset, split, from, Math.min(n, from + chunk)))) {
        await once(out, "drain");
      }
    }
    out.end();
    await once(out, "finish");
    await rename(tmp, path);
  } catch (e) {
    out.destroy();
    await rm(tmp, { force: true });
    throw e;
  }
}
