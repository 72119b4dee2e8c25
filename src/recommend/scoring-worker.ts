/**
 * A scoring worker thread (see scoring-pool.ts): holds its own copy of the like-model, restored
 * from the bytes the pool sends, and answers "score these feature rows, explain the k best" —
 * the CPU-heavy part of a recommendation (tree predictions for a few hundred candidates and
 * TreeSHAP for the shown items), with the same code as the calling thread (scoreCandidates).
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeFeatures } from "../features/index.js";
import { getModel } from "../models/index.js";
import { reasonFeatures } from "./reasons.js";
import { prepareContributions } from "./row-contributions.js";
import { RowsScratch } from "./rows-scratch.js";
import { defaultPairSources, runFeaturizer } from "./run-featurizer.js";
import { scoreCandidates } from "./score-candidates.js";
import { packScored, type ScoreReply, type ScoreRequest, TAKEN } from "./scoring-pool.js";

const { family, bytes, features, claims } = workerData as {
  family: string;
  bytes: Uint8Array;
  features: { bytes: Uint8Array; pairSources: string[] } | null;
  /** Per slot: the ticket of the request in it until a thread takes it (scoring-pool.ts). */
  claims: Int32Array;
};
const fam = getModel(family);
if (!fam) throw new Error(`scoring worker: model family "${family}" is not registered`);
const model = fam.load(bytes);
const cols = model.featureNames.length;
// Only the contributions a reason can name (as Recommender.recommend), tables built at start.
const explained = reasonFeatures(model.featureNames);
prepareContributions(model, explained);
// The run's feature pipeline, when the pool hands over users instead of rows.
const featurizer = features
  ? (() => {
      const { spec, state } = decodeFeatures(
        features.bytes,
        defaultPairSources(features.pairSources),
      );
      return runFeaturizer(spec, state);
    })()
  : null;

// Rows are built into one buffer, reused by every request (each is scored before the next).
const scratch = new RowsScratch();

parentPort?.on("message", (req: ScoreRequest) => {
  // The calling thread stole it meanwhile (or the slot holds a newer request): not ours.
  if (Atomics.compareExchange(claims, req.id, req.ticket, TAKEN) !== req.ticket) return;
  try {
    let rows = req.rows;
    if (!rows) {
      if (!featurizer || !req.user)
        throw new Error("a request without rows needs the run's features");
      rows = featurizer.forUser(req.user, req.movies, scratch.get(req.movies.length * cols));
    }
    const packed = packScored(scoreCandidates(model, rows, req.movies, req.k, explained), cols);
    const reply: ScoreReply = { id: req.id, ticket: req.ticket, ...packed };
    parentPort?.postMessage(reply, [packed.buffer]);
  } catch (e) {
    parentPort?.postMessage({
      id: req.id,
      ticket: req.ticket,
      error: e instanceof Error ? e.message : String(e),
    });
  }
});
