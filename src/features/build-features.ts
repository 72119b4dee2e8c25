/**
 * buildFeatures: Dataset + Split -> train/val/test FeatureMatrices, the FeatureSpec and the
 * FeatureState that serving uses. EVALUATION.md's leakage rules are enforced by construction:
 *
 *   every aggregate is a sum over training ratings only, kept per fold:
 *     userFold[(f * nUsers + u) * US ..], movieFold[(f * nMovies + m) * 5 ..], globFold[f * GS ..]
 *   slot s < k  = sums over folds != s  -> features of training rows in fold s (out-of-fold)
 *   slot s == k = sums over all folds   -> features of val/test rows and of serving (state)
 *
 * Every pass is a loop over typed arrays (no per-row objects), so 20M ratings stay in budget.
 */
import { CinerankError, type ProgressReporter } from "../core/index.js";
import type { Dataset } from "../data/index.js";
import { assignFolds, type Split } from "../splits/index.js";
import { allowedTags } from "./allowed-tags.js";
import {
  embedDocuments,
  fitContentModel,
  movieDocuments,
  type ContentModel,
} from "./content-embeddings.js";
import type { FeatureMatrix } from "./feature-matrix.js";
import { writeFeatureRow } from "./feature-row.js";
import {
  FEATURE_DEFAULTS,
  FEATURE_SPEC_VERSION,
  type FeatureLayout,
  type FeatureOptions,
  type FeatureSpec,
  featureColumns,
  makeLayout,
  type ResolvedFeatureOptions,
} from "./feature-spec.js";
import type { DemographicTable, FeatureState } from "./feature-state.js";
import {
  finishMovie,
  MOVIE_SUMS_STRIDE,
  MS_COUNT,
  MS_LIKES,
  MS_SUM,
  MS_SUMSQ,
  MS_WINDOW,
} from "./movie-block.js";
import type { PairFeatureSource, PairScorer, TrainRatings } from "./pair-feature-source.js";
import { applyScaler, fitScaler } from "./scaler.js";
import {
  G_COUNT,
  G_GENRE_COUNT,
  G_HOURS,
  G_LIKES,
  G_SUM,
  G_SUMSQ,
  globalSumsStride,
  type SlotGlobals,
  slotGlobals,
  trendingThreshold,
} from "./slot-globals.js";
import { finishUser } from "./user-block.js";
import {
  addUserRating,
  combineUserSums,
  emptyUserSums,
  hourOf,
  outOfFoldUserSums,
  userSumsStride,
} from "./user-sums.js";

export interface BuildFeaturesOptions extends FeatureOptions {
  /** CF feature sources (models layer), fitted per fold and on the whole training part. */
  pairSources?: readonly PairFeatureSource[];
  onProgress?: ProgressReporter;
}

export interface BuiltFeatures {
  matrices: { train: FeatureMatrix; val: FeatureMatrix; test: FeatureMatrix };
  spec: FeatureSpec;
  state: FeatureState;
  /** Fold of each training row (in matrices.train order). */
  trainFolds: Int8Array;
}

function resolve(o: FeatureOptions, split: Split): ResolvedFeatureOptions {
  const r: ResolvedFeatureOptions = {
    folds: o.folds ?? FEATURE_DEFAULTS.folds,
    seed: o.seed ?? split.seed,
    genrePrior: o.genrePrior ?? FEATURE_DEFAULTS.genrePrior,
    moviePrior: o.moviePrior ?? FEATURE_DEFAULTS.moviePrior,
    embeddingDim: o.embeddingDim ?? FEATURE_DEFAULTS.embeddingDim,
    minDf: o.minDf ?? FEATURE_DEFAULTS.minDf,
    trendingWindow: o.trendingWindow ?? FEATURE_DEFAULTS.trendingWindow,
  };
  const bad = (field: string, want: string, got: number) =>
    new CinerankError("ERR_INVALID_ARGUMENT", `features ${field}: expected ${want}, got ${got}`);
  if (!(r.genrePrior >= 0)) throw bad("genrePrior", "a number >= 0", r.genrePrior);
  if (!(r.moviePrior >= 0)) throw bad("moviePrior", "a number >= 0", r.moviePrior);
  if (!Number.isInteger(r.embeddingDim) || r.embeddingDim < 0 || r.embeddingDim > 256) {
    throw bad("embeddingDim", "an integer in 0..256", r.embeddingDim);
  }
  if (!(r.trendingWindow > 0 && r.trendingWindow <= 1))
    throw bad("trendingWindow", "a share in (0, 1]", r.trendingWindow);
  return r;
}

/** Genre columns: the genres that occur in the release, in GENRES order. */
function genreColumns(dataset: Dataset): {
  names: string[];
  bits: number[];
  movieCols: Uint32Array;
} {
  let union = 0;
  for (const m of dataset.movieInfo.genres) union |= m;
  const bits: number[] = [];
  for (let b = 0; b < dataset.genres.length; b++) if (union & (1 << b)) bits.push(b);
  const movieCols = new Uint32Array(dataset.movies.size);
  for (let m = 0; m < movieCols.length; m++) {
    const mask = dataset.movieInfo.genres[m];
    let cols = 0;
    for (let j = 0; j < bits.length; j++) if (mask & (1 << bits[j])) cols |= 1 << j;
    movieCols[m] = cols >>> 0;
  }
  return { names: bits.map((b) => dataset.genres[b]), bits, movieCols };
}

function demographicTable(
  dataset: Dataset,
): { table: DemographicTable; occupations: string[]; ageDefault: number } | null {
  const d = dataset.demographics;
  if (!d) return null;
  const occupations = [...new Set(d.occupation.filter((o) => o !== ""))].sort();
  const index = new Map(occupations.map((o, i) => [o, i]));
  const n = dataset.users.size;
  const table: DemographicTable = {
    age: new Float32Array(n).fill(Number.NaN),
    gender: new Uint8Array(n),
    occupation: new Int16Array(n).fill(-1),
  };
  let sum = 0;
  let cnt = 0;
  for (let u = 0; u < n && u < d.age.length; u++) {
    table.age[u] = d.age[u];
    if (Number.isFinite(d.age[u])) {
      sum += d.age[u];
      cnt++;
    }
    const g = (d.gender[u] ?? "").toUpperCase();
    table.gender[u] = g === "F" ? 1 : g === "M" ? 2 : 0;
    table.occupation[u] = index.get(d.occupation[u] ?? "") ?? -1;
  }
  return { table, occupations, ageDefault: cnt > 0 ? sum / cnt : 30 };
}

function medianYear(year: Float32Array): number {
  const ys = Array.from(year)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return ys.length ? ys[ys.length >> 1] : 2000;
}

function emptyMatrix(names: string[], n: number, cols: number): FeatureMatrix {
  return {
    rows: n,
    cols,
    names,
    values: new Float32Array(n * cols),
    labels: new Uint8Array(n),
    ratings: new Float32Array(n),
    user: new Int32Array(n),
    movie: new Int32Array(n),
    timestamp: new Float64Array(n),
  };
}

export async function buildFeatures(
  dataset: Dataset,
  split: Split,
  options: BuildFeaturesOptions = {},
): Promise<BuiltFeatures> {
  const opt = resolve(options, split);
  const progress = options.onProgress ?? (() => {});
  const sources = options.pairSources ?? [];
  const k = opt.folds;
  const threshold = split.threshold;
  const r = dataset.ratings;
  const nU = dataset.users.size;
  const nM = dataset.movies.size;
  if (r.rating.length !== split.part.length) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `split has ${split.part.length} rows but the dataset has ${r.rating.length} ratings`,
    );
  }
  if (split.train.length === 0)
    throw new CinerankError("ERR_DATA_EMPTY", "the split's training part is empty");
  const fold = assignFolds(split, k, opt.seed);
  const genres = genreColumns(dataset);
  const G = genres.names.length;
  const demo = demographicTable(dataset);
  const pairNames = sources.flatMap((s) => [...s.names]);
  const dim = opt.embeddingDim;
  const L: FeatureLayout = makeLayout(
    G,
    dim,
    demo?.occupations.length ?? 0,
    demo !== null,
    pairNames.length,
  );
  const { names, kinds } = featureColumns(
    genres.names,
    dim,
    demo?.occupations ?? [],
    demo !== null,
    pairNames,
  );

  // Content embeddings (fitted on training movies, training-era tags).
  let content: ContentModel | null = null;
  let movieEmbedding: Float32Array = new Float32Array(0);
  const movieSeen = new Uint8Array(nM);
  for (let j = 0; j < split.train.length; j++) movieSeen[r.movie[split.train[j]]] = 1;
  if (dim > 0) {
    progress({ stage: "content", done: 0, total: 1, message: "TF-IDF + SVD" });
    const docs = movieDocuments(dataset, allowedTags(dataset, split));
    const trainMovies: number[] = [];
    for (let m = 0; m < nM; m++) if (movieSeen[m]) trainMovies.push(m);
    content = fitContentModel(docs, { trainMovies, dim, minDf: opt.minDf, seed: opt.seed });
    movieEmbedding = embedDocuments(content, docs);
    progress({ stage: "content", done: 1, total: 1 });
  }

  // Time window of the trending flag: the last trendingWindow share of the training time span.
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < split.train.length; j++) {
    const t = r.timestamp[split.train[j]];
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
  }
  const windowFrom = tMax - opt.trendingWindow * (tMax - tMin);

  // One pass over the training ratings: per-fold sums.
  const US = userSumsStride(G, dim);
  const GS = globalSumsStride(G);
  let userFold: Float64Array | null = emptyUserSums(US, k * nU);
  const movieFold = new Float64Array(k * nM * MOVIE_SUMS_STRIDE);
  const globFold = new Float64Array(k * GS);
  const nTrain = split.train.length;
  for (let j = 0; j < nTrain; j++) {
    const i = split.train[j];
    const f = fold[i];
    const u = r.user[i];
    const m = r.movie[i];
    const y = r.rating[i];
    const ts = r.timestamp[i];
    const like = y >= threshold ? 1 : 0;
    const gcols = genres.movieCols[m];
    addUserRating(userFold, (f * nU + u) * US, G, dim, y, ts, like, gcols, movieEmbedding, m * dim);
    const mo = (f * nM + m) * MOVIE_SUMS_STRIDE;
    movieFold[mo + MS_COUNT] += 1;
    movieFold[mo + MS_SUM] += y;
    movieFold[mo + MS_SUMSQ] += y * y;
    movieFold[mo + MS_LIKES] += like;
    if (ts >= windowFrom) movieFold[mo + MS_WINDOW] += 1;
    const go = f * GS;
    globFold[go + G_COUNT] += 1;
    globFold[go + G_SUM] += y;
    globFold[go + G_SUMSQ] += y * y;
    globFold[go + G_LIKES] += like;
    globFold[go + G_HOURS + hourOf(ts)] += 1;
    let mask = gcols;
    while (mask !== 0) {
      const g = 31 - Math.clz32(mask & -mask);
      mask &= mask - 1;
      globFold[go + G_GENRE_COUNT + g] += 1;
      globFold[go + G_GENRE_COUNT + G + g] += y;
    }
    if ((j & 0xfffff) === 0)
      progress({ stage: "aggregates", done: j, total: nTrain, unit: "ratings" });
  }
  progress({ stage: "aggregates", done: nTrain, total: nTrain, unit: "ratings" });

  // Finish every slot: globals, movie blocks, user blocks and content profiles.
  const yearDefault = medianYear(dataset.movieInfo.year);
  const slotG: SlotGlobals[] = [];
  const movieBlocks: Float32Array[] = [];
  const userBlocks: Float32Array[] = [];
  const userVecs: Float32Array[] = [];
  const stateUserSums = emptyUserSums(US, nU);
  const stateGlobals = new Float64Array(GS);
  let stateTrending = Number.POSITIVE_INFINITY;
  for (let s = 0; s <= k; s++) {
    const folds = Array.from({ length: k }, (_, f) => f).filter((f) => f !== s);
    const graw = new Float64Array(GS);
    for (const f of folds) for (let j = 0; j < GS; j++) graw[j] += globFold[f * GS + j];
    const mraw = new Float64Array(nM * MOVIE_SUMS_STRIDE);
    for (const f of folds) {
      const base = f * nM * MOVIE_SUMS_STRIDE;
      for (let j = 0; j < mraw.length; j++) mraw[j] += movieFold[base + j];
    }
    const trend = trendingThreshold(mraw, MOVIE_SUMS_STRIDE, MS_WINDOW, nM);
    const g = slotGlobals(graw, 0, G, trend);
    slotG.push(g);
    const mb = new Float32Array(nM * L.movieWidth);
    for (let m = 0; m < nM; m++) {
      finishMovie(
        G,
        opt.moviePrior,
        yearDefault,
        g,
        mraw,
        m * MOVIE_SUMS_STRIDE,
        dataset.movieInfo.year[m],
        genres.movieCols[m],
        mb,
        m * L.movieWidth,
      );
    }
    movieBlocks.push(mb);
    userBlocks.push(new Float32Array(nU * L.userWidth));
    userVecs.push(new Float32Array(nU * dim));
    if (s === k) {
      stateGlobals.set(graw);
      stateTrending = trend;
    }
  }
  // Users: whole-training sums = Σ folds (kept in the state); out-of-fold = whole - own fold.
  const tmpUser = new Float64Array(US);
  const allFolds = new Int32Array(k);
  for (let u = 0; u < nU; u++) {
    for (let f = 0; f < k; f++) allFolds[f] = (f * nU + u) * US;
    combineUserSums(userFold, US, allFolds, stateUserSums, u * US);
    const uw = u * L.userWidth;
    finishUser(
      G,
      dim,
      opt.genrePrior,
      slotG[k],
      stateUserSums,
      u * US,
      userBlocks[k],
      uw,
      userVecs[k],
      u * dim,
    );
    for (let s = 0; s < k; s++) {
      outOfFoldUserSums(stateUserSums, u * US, userFold, allFolds, s, US, tmpUser);
      finishUser(
        G,
        dim,
        opt.genrePrior,
        slotG[s],
        tmpUser,
        0,
        userBlocks[s],
        uw,
        userVecs[s],
        u * dim,
      );
    }
    if ((u & 0x3fff) === 0) progress({ stage: "profiles", done: u, total: nU, unit: "users" });
  }
  progress({ stage: "profiles", done: nU, total: nU, unit: "users" });
  // The per-fold user sums are the largest temporary (k x users x stride doubles): let them go
  // before the feature matrices are allocated.
  userFold = null;
  const whole = slotG[k];

  // Rows: training rows use their fold's slot, val/test rows the whole-training slot.
  const cols = L.cols;
  const fill = (rows: Int32Array, useFolds: boolean, stage: string): FeatureMatrix => {
    const mat = emptyMatrix(names, rows.length, cols);
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j];
      const s = useFolds ? fold[i] : k;
      const u = r.user[i];
      const m = r.movie[i];
      const ts = r.timestamp[i];
      writeFeatureRow(
        L,
        userBlocks[s],
        u * L.userWidth,
        userVecs[s],
        u * dim,
        movieBlocks[s],
        m * L.movieWidth,
        movieEmbedding,
        m * dim,
        ts,
        demo?.ageDefault ?? 0,
        demo ? demo.table.age[u] : Number.NaN,
        demo ? demo.table.gender[u] : 0,
        demo ? demo.table.occupation[u] : -1,
        mat.values,
        j * cols,
      );
      mat.labels[j] = r.rating[i] >= threshold ? 1 : 0;
      mat.ratings[j] = r.rating[i];
      mat.user[j] = u;
      mat.movie[j] = m;
      mat.timestamp[j] = ts;
      if ((j & 0x3ffff) === 0) progress({ stage, done: j, total: rows.length, unit: "rows" });
    }
    progress({ stage, done: rows.length, total: rows.length, unit: "rows" });
    return mat;
  };
  const train = fill(split.train, true, "train rows");
  const val = fill(split.val, false, "val rows");
  const test = fill(split.test, false, "test rows");
  const trainFolds = Int8Array.from(split.train, (i) => fold[i]);

  // Pair (CF) sources: per fold on the other folds' ratings, then on the whole training part.
  // plain loops: TypedArray.from with a mapping callback costs ~4x more per element
  const ratingsOf = (rows: Int32Array): TrainRatings => {
    const n = rows.length;
    const out: TrainRatings = {
      user: new Int32Array(n),
      movie: new Int32Array(n),
      rating: new Float32Array(n),
      timestamp: new Float64Array(n),
      nUsers: nU,
      nMovies: nM,
    };
    for (let j = 0; j < n; j++) {
      const i = rows[j];
      out.user[j] = r.user[i];
      out.movie[j] = r.movie[i];
      out.rating[j] = r.rating[i];
      out.timestamp[j] = r.timestamp[i];
    }
    return out;
  };
  const scorers: Record<string, PairScorer> = {};
  let pairOffset = L.pairStart;
  for (const src of sources) {
    const w = src.names.length;
    for (let f = 0; f < k; f++) {
      let nOut = 0;
      for (let j = 0; j < nTrain; j++) if (trainFolds[j] === f) nOut++;
      const fitRows = new Int32Array(nTrain - nOut);
      const outRows = new Int32Array(nOut);
      for (let j = 0, a = 0, b = 0; j < nTrain; j++) {
        if (trainFolds[j] === f) outRows[b++] = j;
        else fitRows[a++] = split.train[j];
      }
      const scorer = await src.fit(ratingsOf(fitRows), {
        seed: opt.seed,
        threshold,
        fold: f,
        onProgress: options.onProgress,
      });
      const tmp = new Float32Array(outRows.length * w);
      scorer.scoreRows(
        Int32Array.from(outRows, (j) => train.user[j]),
        Int32Array.from(outRows, (j) => train.movie[j]),
        tmp,
        w,
        0,
      );
      for (let q = 0; q < outRows.length; q++) {
        for (let c = 0; c < w; c++)
          train.values[outRows[q] * cols + pairOffset + c] = tmp[q * w + c];
      }
    }
    const scorer = await src.fit(ratingsOf(split.train), {
      seed: opt.seed,
      threshold,
      fold: -1,
      onProgress: options.onProgress,
    });
    scorer.scoreRows(val.user, val.movie, val.values, cols, pairOffset);
    scorer.scoreRows(test.user, test.movie, test.values, cols, pairOffset);
    scorers[src.name] = scorer;
    pairOffset += w;
  }

  // Scaler: fitted on the (out-of-fold) training rows, applied to every part.
  const scaler = fitScaler(train.values, train.rows, cols, kinds);
  for (const mat of [train, val, test]) applyScaler(mat.values, mat.rows, cols, scaler);

  const defaults: Record<string, number> = {
    user_mean: whole.mean,
    user_count_log: 0,
    user_std: whole.std,
    user_like_rate: whole.likeRate,
    user_top_hour: whole.topHour,
    user_span_days: 0,
    movie_mean_shrunk: whole.mean,
    movie_count_log: 0,
    movie_std: whole.std,
    movie_like_rate: whole.likeRate,
    movie_popularity: 0,
    movie_year: yearDefault,
  };
  if (dim > 0) defaults.content_cosine = 0;
  if (demo) defaults.user_age = demo.ageDefault;
  const spec: FeatureSpec = {
    version: FEATURE_SPEC_VERSION,
    names,
    kinds,
    threshold,
    options: opt,
    genres: genres.names,
    genreBits: genres.bits,
    occupations: demo?.occupations ?? [],
    layout: L,
    pairSources: sources.map((s) => s.name),
    defaults,
    scaler,
    trendingFrom: windowFrom,
    trainTimeRange: [tMin, tMax],
  };
  const state: FeatureState = {
    nUsers: nU,
    nMovies: nM,
    userIds: Float64Array.from(dataset.users.toArray()),
    movieIds: Float64Array.from(dataset.movies.toArray()),
    globals: stateGlobals,
    trendingThreshold: stateTrending,
    userSums: stateUserSums,
    movieBlock: movieBlocks[k],
    movieEmbedding,
    movieGenreCols: genres.movieCols,
    demographics: demo?.table ?? null,
    content,
    scorers,
  };
  return { matrices: { train, val, test }, spec, state, trainFolds };
}
