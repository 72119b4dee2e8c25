/**
 * Worker thread of `cinerank generate`: rebuilds the (deterministic) movie model and writes the
 * rating and tag lines of one contiguous range of users to its own part files; the parent
 * concatenates the parts in order. Messages: { done } progress, then { tags } when finished.
 */
import { closeSync, openSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { ByteSink } from "./byte-sink.js";
import { buildSyntheticMovies } from "./synthetic-movies.js";
import { writeSyntheticUsers } from "./synthetic-users.js";

export interface GenerateWorkerData {
  seed: number;
  movies: number;
  counts: Int32Array;
  from: number;
  to: number;
  ratingsPath: string;
  tagsPath: string;
}

const job = workerData as GenerateWorkerData;
const model = buildSyntheticMovies(job.seed, job.movies);
const rfd = openSync(job.ratingsPath, "w");
const tfd = openSync(job.tagsPath, "w");
try {
  const tags = writeSyntheticUsers(
    model,
    { seed: job.seed, counts: job.counts, from: job.from, to: job.to },
    new ByteSink(rfd),
    new ByteSink(tfd),
    (done) => parentPort?.postMessage({ done }),
  );
  parentPort?.postMessage({ tags });
} finally {
  closeSync(rfd);
  closeSync(tfd);
}
