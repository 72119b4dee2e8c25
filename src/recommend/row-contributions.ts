/**
 * rowContributions: the like-model's feature contributions for several feature rows at once
 * (the k shown items of a recommendation list). For boosted trees it asks TreeSHAP for all rows
 * together, tree by tree, which keeps each tree's leaf tables in cache across the rows — several
 * times faster than LikeModel.contributions row by row, with the same values (TreeModel's
 * contributions are TreeSHAP values plus baseScore + expected value as the bias). Given the
 * features a caller reads (`features`: 1 = wanted; reasons never name a user-only feature),
 * only those are computed, from TreeSHAP's per-feature-set contribution tables (built once per
 * forest and feature set); the others are 0. The rows of one list share the user's columns
 * (userColumns: user-only features and the request time's hour and weekday), so with a feature
 * set the tables come in the layout that resolves those columns once per call (SharedSubset,
 * ~1.5-2x less CPU), when the rows really hold the same values there (checked on every call;
 * otherwise the plain tables). Other models (LR's coefficient x value, the forest's
 * logit-scaled values) go row by row and give every feature.
 */
import {
  type FeatureSubset,
  type LikeModel,
  type PackedForest,
  type SharedSubset,
  type SubsetExplainer,
  TreeModel,
  TreeShap,
} from "../models/index.js";
import type { Contributions } from "./types.js";

interface Explainer {
  shap: TreeShap;
  /** Feature subsets by their flags ("0101..."). */
  subsets: Map<string, FeatureSubset>;
  /** Shared-column subsets by their feature flags and shared flags ("0101...|0011..."). */
  shared: Map<string, SharedSubset>;
  /** userColumns of the model's feature names (computed on first use). */
  userCols?: Uint8Array;
  /** Contributions scratch (rows x features). */
  phi: Float64Array;
}

/**
 * Columns every candidate row of one user's list holds the same value in: the user-only
 * features (the user block, demographics) and the request time's hour and weekday. Only a
 * layout choice: calls check that the rows agree there.
 */
export function userColumns(names: readonly string[]): Uint8Array {
  return Uint8Array.from(names, (n) =>
    (n.startsWith("user_") && n !== "user_genre_match") ||
    n.startsWith("occupation_") ||
    n === "rating_hour" ||
    n === "rating_weekday"
      ? 1
      : 0,
  );
}

const explainers = new WeakMap<PackedForest, Explainer>();

function explainerOf(forest: PackedForest): Explainer {
  let e = explainers.get(forest);
  if (!e) {
    e = {
      shap: new TreeShap(forest),
      subsets: new Map(),
      shared: new Map(),
      phi: new Float64Array(0),
    };
    explainers.set(forest, e);
  }
  return e;
}

function subsetOf(e: Explainer, features: Uint8Array): FeatureSubset {
  const key = features.join("");
  let s = e.subsets.get(key);
  if (!s) {
    s = e.shap.subset(features);
    e.subsets.set(key, s);
  }
  return s;
}

function sharedSubsetOf(e: Explainer, features: Uint8Array, shared: Uint8Array): SharedSubset {
  const key = `${features.join("")}|${shared.join("")}`;
  let s = e.shared.get(key);
  if (!s) {
    s = e.shap.sharedSubset(features, shared);
    e.shared.set(key, s);
  }
  return s;
}

/** The tables for these rows: shared-column ones when the rows share those columns. */
function tablesFor(
  e: Explainer,
  features: Uint8Array,
  shared: Uint8Array,
  rows: Float32Array,
  offsets: readonly number[],
): SubsetExplainer {
  if (shared.includes(1)) {
    const s = sharedSubsetOf(e, features, shared);
    if (s.accepts(rows, offsets)) return s;
  }
  return subsetOf(e, features);
}

/**
 * Builds the TreeSHAP tables rowContributions needs for this model (and feature set) now, so
 * that the first request does not pay for them. A no-op for other models.
 */
export function prepareContributions(model: LikeModel, features?: Uint8Array): void {
  if (!(model instanceof TreeModel) || model.header.logitContributions) return;
  const e = explainerOf(model.forest);
  if (!features) return;
  const shared = userColumns(model.featureNames);
  if (shared.includes(1)) sharedSubsetOf(e, features, shared).prepare();
  else subsetOf(e, features);
}

/**
 * Contributions of rows[which[i] * cols ..] for each i (only `features` when given: above).
 * `shared`: the columns the rows are expected to share (default userColumns of the model's
 * feature names).
 */
export function rowContributions(
  model: LikeModel,
  rows: Float32Array,
  cols: number,
  which: readonly number[],
  features?: Uint8Array,
  shared?: Uint8Array,
): Contributions[] {
  if (!(model instanceof TreeModel) || model.header.logitContributions) {
    return which.map((i) => model.contributions(rows.subarray(i * cols, (i + 1) * cols)));
  }
  const e = explainerOf(model.forest);
  const { baseScore, treeScale } = model.header;
  // scratch reused across calls: fresh typed arrays would each get their own backing store,
  // which costs the garbage collector more than the copy below
  if (e.phi.length < which.length * cols) e.phi = new Float64Array(which.length * cols);
  const phi = e.phi;
  phi.fill(0, 0, which.length * cols);
  const offsets = which.map((i) => i * cols);
  e.shap.explainRows(
    rows,
    offsets,
    phi,
    cols,
    treeScale,
    features
      ? tablesFor(
          e,
          features,
          shared ?? (e.userCols ??= userColumns(model.featureNames)),
          rows,
          offsets,
        )
      : undefined,
  );
  const bias = baseScore + e.shap.expectedValue(treeScale);
  // one array for all rows (each row's values a view of it)
  const values = new Float32Array(which.length * cols);
  values.set(phi.subarray(0, which.length * cols));
  return which.map((_, r) => ({ bias, values: values.subarray(r * cols, (r + 1) * cols) }));
}
