/**
 * openRecommender: a Recommender from a trained run folder and its dataset, the way `cinerank
 * recommend|similar|predict|serve` use it. Reads the run's manifest and metrics (which name the
 * chosen model and the data folder), loads the dataset through its DuckDB store (so ratings
 * added live come back), restores the fitted feature pipeline (spec + state) and the chosen
 * like-model, and wires the parts:
 *
 *   featurizer     featuresForPairs on the run's FeatureState (the training code path)
 *   content        the state's movie content embeddings (TF-IDF + SVD)
 *   candidates     item-kNN fitted on the current ratings at open time (the run keeps none), and
 *                  the collaborative pair scorers of the run when it has them
 *   live ratings   StoreRatingLog on the store's ratings_added table
 *   metadata       posters/overviews from the store's movie_metadata table
 */
import { readdir, readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { loadModel, type RunMetrics, resolveRunDir } from "../artifacts/index.js";
import { CinerankError, type ProgressReporter } from "../core/index.js";
import { type Dataset, loadDataset, openStore, posterUrl, readMetadata } from "../data/index.js";
import {
  buildFeatures,
  decodeFeatures,
  encodeFeatures,
  type FeatureSpec,
  type FeatureState,
  type PairFeatureSource,
} from "../features/index.js";
// The models index also registers every model family, which loadModel needs.
import { type LikeModel, TreeModel } from "../models/index.js";
import { type SplitKind, splitDataset } from "../splits/index.js";
import { fitServingCf, type ServingCfOptions } from "./fit-serving-cf.js";
import { type MovieExtras, MovieCatalog } from "./movie-catalog.js";
import { RatingBook } from "./rating-book.js";
import { Recommender, type RecommenderConfig } from "./recommender.js";
import { defaultPairSources, runFeaturizer } from "./run-featurizer.js";
import { type PoolFeatures, ScoringPool } from "./scoring-pool.js";
import { StoreRatingLog } from "./store-rating-log.js";

export { defaultPairSources, runFeaturizer } from "./run-featurizer.js";

export interface OpenOptions {
  /** A run folder, or an artifacts folder whose `latest` is used. Default "artifacts". */
  run?: string;
  /** Data folder; default: the one the run was trained on (metrics.options.data). */
  data?: string;
  /** DuckDB store path (default: the data folder's default store). */
  store?: string;
  /** Pair feature sources by name, to restore CF feature scorers (models layer). */
  pairSources?: (names: readonly string[]) => PairFeatureSource[];
  config?: Partial<RecommenderConfig>;
  /**
   * Worker threads that score recommendation candidates (recommendAsync); 0 = none (default).
   * "auto": for tree ensembles (prediction and TreeSHAP are most of a request) one per core but
   * one, at least one: the calling thread builds candidates and serves HTTP, and scores a
   * request itself when the workers fall behind (ScoringPool's stealAt), so all cores work
   * without more busy threads than cores; none for other models (scoring is cheap; handing rows
   * to a thread costs more than it saves).
   */
  scoringWorkers?: number | "auto";
  /** Settings of the collaborative parts fitted at open time. */
  cf?: ServingCfOptions;
  onProgress?: ProgressReporter;
}

/** Largest encoded feature state handed to scoring workers (ml-latest-small's is ~10 MB). */
export const MAX_WORKER_FEATURES_BYTES = 128 * 1024 * 1024;

export interface OpenedRecommender {
  recommender: Recommender;
  runDir: string;
  metrics: RunMetrics;
  dataset: Dataset;
  storePath: string;
}

/** The run's metrics.json (which names the chosen model, the split and the data folder). */
export async function readServingMetrics(runDir: string): Promise<RunMetrics> {
  const path = join(runDir, "metrics.json");
  let m: RunMetrics;
  try {
    m = JSON.parse(await readFile(path, "utf8")) as RunMetrics;
  } catch (e) {
    throw new CinerankError(
      "ERR_RUN_NOT_FOUND",
      `${path}: cannot read the run's metrics (${(e as Error).message})`,
    );
  }
  if (m.formatVersion !== 1 || !m.chosen?.key || !m.split) {
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `${path}: expected metrics formatVersion 1 with chosen and split`,
    );
  }
  return m;
}

/** The dataset without the given added ratings (matched by user, movie and timestamp). */
export function datasetWithout(
  dataset: Dataset,
  rows: readonly { userId: number; movieId: number; timestamp: number }[],
): Dataset {
  if (rows.length === 0) return dataset;
  const drop = new Set(rows.map((r) => `${r.userId}:${r.movieId}:${r.timestamp}`));
  const r = dataset.ratings;
  const keep: number[] = [];
  for (let i = 0; i < r.rating.length; i++) {
    const key = `${dataset.users.id(r.user[i])}:${dataset.movies.id(r.movie[i])}:${r.timestamp[i]}`;
    if (!drop.has(key)) keep.push(i);
  }
  return {
    ...dataset,
    ratings: {
      user: Int32Array.from(keep, (i) => r.user[i]),
      movie: Int32Array.from(keep, (i) => r.movie[i]),
      rating: Float32Array.from(keep, (i) => r.rating[i]),
      timestamp: Float64Array.from(keep, (i) => r.timestamp[i]),
    },
  };
}

/**
 * The run's fitted feature pipeline: decoded from `features/*.bin` when the run saved it;
 * otherwise rebuilt the way training built it (same split kind, threshold and seed over the
 * dataset, same pair sources). A rebuilt state includes ratings added since the run, which only
 * refreshes the aggregates the model reads; the model itself is unchanged.
 */
async function featureTables(
  runDir: string,
  metrics: RunMetrics,
  dataset: Dataset,
  sourcesFor: (names: readonly string[]) => PairFeatureSource[],
  onProgress?: ProgressReporter,
): Promise<{ spec: FeatureSpec; state: FeatureState; bytes: Uint8Array; pairNames: string[] }> {
  let names: string[] = [];
  try {
    names = (await readdir(join(runDir, "features"))).filter((n) => n.endsWith(".bin"));
  } catch {
    // no features folder: rebuild below
  }
  // The pair sources the features were built with: recorded in the run's options (and spec.json).
  const recorded = metrics.options.pairSources;
  let pairNames = Array.isArray(recorded) ? recorded.map(String) : [];
  if (!Array.isArray(recorded)) {
    try {
      const spec = JSON.parse(
        await readFile(join(runDir, "features", "spec.json"), "utf8"),
      ) as FeatureSpec;
      pairNames = spec.pairSources ?? [];
    } catch {
      // no spec.json: no pair sources
    }
  }
  if (names.length > 0) {
    const bytes = new Uint8Array(await readFile(join(runDir, "features", names.sort()[0])));
    const decoded = decodeFeatures(bytes, pairNames.length > 0 ? sourcesFor(pairNames) : []);
    return { ...decoded, bytes, pairNames };
  }
  const split = splitDataset(dataset, {
    kind: metrics.split.kind as SplitKind,
    threshold: metrics.split.threshold,
    seed: metrics.split.seed,
  });
  const built = await buildFeatures(dataset, split, {
    pairSources: sourcesFor(pairNames),
    seed: metrics.split.seed,
    onProgress,
  });
  return {
    spec: built.spec,
    state: built.state,
    bytes: encodeFeatures(built.spec, built.state),
    pairNames,
  };
}

function checkSameCatalogue(dataset: Dataset, state: FeatureState, runDir: string): void {
  const n = dataset.movies.size;
  if (state.nMovies !== n || state.movieIds.some((id, m) => dataset.movies.id(m) !== id)) {
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `${runDir}: the run was trained on ${state.nMovies} movies that differ from the data folder's ${n}; open it with the data folder it was trained on (--data)`,
    );
  }
}

export async function openRecommender(opts: OpenOptions = {}): Promise<OpenedRecommender> {
  const report = opts.onProgress;
  const runDir = await resolveRunDir(opts.run ?? "artifacts");
  const metrics = await readServingMetrics(runDir);
  const data =
    opts.data ?? (typeof metrics.options.data === "string" ? metrics.options.data : undefined);
  if (!data) {
    throw new CinerankError(
      "ERR_USAGE",
      `${runDir}: the run does not record its data folder; pass --data DIR`,
    );
  }
  report?.({ stage: "open", done: 0, total: 4, message: "dataset" });
  const loaded = await loadDataset(data, { store: opts.store, onProgress: report });
  const dataset = loaded.dataset;
  const storePath = loaded.store.path;

  // Ratings added after the run was trained: the models never saw them, so their users are
  // served from live profiles, and whatever is fitted here is fitted without them — which makes
  // a restart reproduce exactly what the server answered before it.
  const log = new StoreRatingLog(storePath);
  const since = Date.parse(metrics.createdAt) / 1000;
  const newer = (await log.added()).filter((r) => r.addedAt >= since);
  const asTrained = datasetWithout(dataset, newer);

  report?.({ stage: "open", done: 1, total: 4, message: "features" });
  const sourcesFor = opts.pairSources ?? defaultPairSources;
  const { spec, state, bytes, pairNames } = await featureTables(
    runDir,
    metrics,
    asTrained,
    sourcesFor,
    report,
  );
  checkSameCatalogue(dataset, state, runDir);

  report?.({ stage: "open", done: 2, total: 4, message: `model ${metrics.chosen.key}` });
  const model = await loadModel(runDir, metrics.chosen.key, metrics.chosen.model);

  report?.({ stage: "open", done: 3, total: 4, message: "collaborative candidates" });
  const threshold = metrics.split.threshold;
  const cf = await fitServingCf(asTrained, { seed: metrics.split.seed, ...opts.cf });
  const book = new RatingBook(dataset, threshold);
  for (const r of newer) book.markChanged(r.userId);
  const catalog = new MovieCatalog(dataset, book, await movieMetadata(storePath, dataset));
  // Users the models were fitted with: in the feature state and with ratings as trained (a new
  // user's id may sit in the dataset's user index with no trained ratings).
  const trained = new Uint8Array(dataset.users.size);
  for (const u of asTrained.ratings.user) trained[u] = 1;
  const userIndex = new Map<number, number>();
  state.userIds.forEach((id, u) => {
    const d = dataset.users.index(id);
    if (d >= 0 && trained[d]) userIndex.set(id, u);
  });
  const featurizer = runFeaturizer(spec, state);
  // The scoring workers build the same featurizer from the encoded state, so a request hands
  // them the user and the candidates instead of ~100 KB of feature rows, and the feature rows
  // (~0.2 ms a list) move off the main thread, which also serves HTTP and builds candidates and
  // reasons: under load it was the busy thread while the worker idled about half the time.
  // Not when the pair sources are custom (opts.pairSources: a worker rebuilds them by name),
  // nor for a state over MAX_WORKER_FEATURES_BYTES (each worker would hold a copy).
  const poolFeatures: PoolFeatures | undefined =
    opts.pairSources || bytes.length > MAX_WORKER_FEATURES_BYTES
      ? undefined
      : { bytes, pairSources: pairNames, featurizer };
  const recommender = new Recommender(
    {
      catalog,
      threshold,
      model,
      featurizer,
      userIndex: (id) => userIndex.get(id) ?? -1,
      neighbours: cf.neighbours,
      collaborative: cf.collaborative,
      content:
        spec.layout.dim > 0 ? { dim: spec.layout.dim, vectors: state.movieEmbedding } : undefined,
      log,
      run: { id: metrics.runId, model: metrics.chosen.key },
      scoring: scoringPool(model, opts.scoringWorkers, poolFeatures),
    },
    opts.config,
  );
  report?.({ stage: "open", done: 4, total: 4 });
  return { recommender, runDir, metrics, dataset, storePath };
}

function scoringPool(
  model: LikeModel,
  workers: number | "auto" | undefined,
  features: PoolFeatures | undefined,
): ScoringPool | undefined {
  const n =
    workers === "auto"
      ? model instanceof TreeModel
        ? Math.max(1, availableParallelism() - 1)
        : 0
      : (workers ?? 0);
  return n > 0 ? new ScoringPool(model, n, { features }) : undefined;
}

async function movieMetadata(
  storePath: string,
  dataset: Dataset,
): Promise<Map<number, MovieExtras>> {
  const out = new Map<number, MovieExtras>();
  const store = await openStore(storePath);
  try {
    for (const [movieId, m] of await readMetadata(store.conn)) {
      const idx = dataset.movies.index(movieId);
      if (idx >= 0) out.set(idx, { overview: m.overview, posterUrl: posterUrl(m.posterPath) });
    }
  } finally {
    store.close();
  }
  return out;
}
