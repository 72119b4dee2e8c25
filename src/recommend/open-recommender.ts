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
  type FeatureSpec,
  type FeatureState,
  featuresForPairs,
  type PairFeatureSource,
  userProfileFromRatings,
} from "../features/index.js";
// The models index also registers every model family, which loadModel needs.
import { knnFeatureSource, type LikeModel, mfFeatureSource, TreeModel } from "../models/index.js";
import { type SplitKind, splitDataset } from "../splits/index.js";
import { fitServingCf, type ServingCfOptions } from "./fit-serving-cf.js";
import { type MovieExtras, MovieCatalog } from "./movie-catalog.js";
import { RatingBook } from "./rating-book.js";
import { Recommender, type RecommenderConfig } from "./recommender.js";
import { ScoringPool } from "./scoring-pool.js";
import { StoreRatingLog } from "./store-rating-log.js";
import type { PairFeaturizer, ServingUser } from "./types.js";

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
   * request itself when every worker is busy (RecommenderConfig.workerQueue), so all cores work
   * without more busy threads than cores; none for other models (scoring is cheap; handing rows
   * to a thread costs more than it saves).
   */
  scoringWorkers?: number | "auto";
  /** Settings of the collaborative parts fitted at open time. */
  cf?: ServingCfOptions;
  onProgress?: ProgressReporter;
}

export interface OpenedRecommender {
  recommender: Recommender;
  runDir: string;
  metrics: RunMetrics;
  dataset: Dataset;
  storePath: string;
}

/** The feature pipeline's serving path as a PairFeaturizer. */
export function runFeaturizer(spec: FeatureSpec, state: FeatureState): PairFeaturizer {
  // Pairs are scored as if rated at the end of the training period, as the run's own ranking
  // evaluation does, so time-of-day/age features stay inside the range the model saw.
  const when = spec.trainTimeRange[1];
  return {
    names: spec.names,
    forUser(user: ServingUser, movies: Int32Array): Float32Array {
      const profile = user.ratings
        ? userProfileFromRatings(spec, state, user.ratings, user.index)
        : user.index >= 0
          ? user.index
          : userProfileFromRatings(spec, state, {
              movie: new Int32Array(0),
              rating: new Float32Array(0),
              timestamp: new Float64Array(0),
            });
      return featuresForPairs(spec, state, profile, movies, when).values;
    },
  };
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

/** The collaborative feature sources of the models layer, by the name a spec records. */
export function defaultPairSources(names: readonly string[]): PairFeatureSource[] {
  return names.map((n) => {
    if (n === "mf") return mfFeatureSource();
    if (n === "knn") return knnFeatureSource();
    throw new CinerankError(
      "ERR_MODEL_FORMAT",
      `the run's features use an unknown pair source "${n}"`,
    );
  });
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
): Promise<{ spec: FeatureSpec; state: FeatureState }> {
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
    return decodeFeatures(bytes, pairNames.length > 0 ? sourcesFor(pairNames) : []);
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
  return { spec: built.spec, state: built.state };
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
  const { spec, state } = await featureTables(runDir, metrics, asTrained, sourcesFor, report);
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
  const recommender = new Recommender(
    {
      catalog,
      threshold,
      model,
      featurizer: runFeaturizer(spec, state),
      userIndex: (id) => userIndex.get(id) ?? -1,
      neighbours: cf.neighbours,
      collaborative: cf.collaborative,
      content:
        spec.layout.dim > 0 ? { dim: spec.layout.dim, vectors: state.movieEmbedding } : undefined,
      log,
      run: { id: metrics.runId, model: metrics.chosen.key },
      scoring: scoringPool(model, opts.scoringWorkers),
    },
    opts.config,
  );
  report?.({ stage: "open", done: 4, total: 4 });
  return { recommender, runDir, metrics, dataset, storePath };
}

function scoringPool(
  model: LikeModel,
  workers: number | "auto" | undefined,
): ScoringPool | undefined {
  const n =
    workers === "auto"
      ? model instanceof TreeModel
        ? Math.max(1, availableParallelism() - 1)
        : 0
      : (workers ?? 0);
  return n > 0 ? new ScoringPool(model, n) : undefined;
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
