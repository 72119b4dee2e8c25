/**
 * RunMetrics: everything a training run measured, as stored in `metrics.json` and printed by
 * `cinerank train --json` / `cinerank evaluate --json`. The report is rendered from this record
 * alone, so `cinerank report` can re-render a stored run without refitting anything.
 */
import type {
  ComparisonTableRow,
  Confusion,
  CurvePoint,
  RankingMetrics,
} from "../evaluation/index.js";
import type { Importance } from "../models/index.js";
import type { TrialResult, TuneMethod } from "../tuning/index.js";

export interface Summary5 {
  min: number;
  median: number;
  mean: number;
  max: number;
}

export interface DatasetOverview {
  release: string;
  layout: string;
  users: number;
  movies: number;
  ratings: number;
  /** like = rating >= threshold */
  threshold: number;
  likeRate: number;
  ratingHistogram: { rating: number; count: number }[];
  ratingsPerUser: Summary5;
  ratingsPerMovie: Summary5;
  /** Movies per genre, largest first. */
  genres: { genre: string; movies: number }[];
  /** ISO dates of the first and last rating. */
  firstRating: string;
  lastRating: string;
}

export interface RunMetrics {
  formatVersion: 1;
  runId: string;
  createdAt: string;
  cinerankVersion: string;
  /** The options the run was started with (data dir, split, models, tune, seed...). */
  options: Record<string, unknown>;
  dataset: DatasetOverview;
  /** Warnings of the data validation report (empty when clean). */
  dataWarnings: string[];
  split: { kind: string; seed: number; threshold: number; counts: Record<string, number> };
  features: { names: string[] };
  /** Tree models trained on a seeded sample of this many rows when the cap applied. */
  sampling: { maxTrainRows: number; trainRows: number; treeTrainRows: number };
  rows: ComparisonTableRow[];
  chosen: {
    key: string;
    model: string;
    variant: string;
    params: Record<string, unknown>;
    threshold: number;
    valAuc: number;
    testAuc: number;
  };
  /** Per model row: does it beat every like-rate baseline on validation AUC? */
  baselineCheck: { key: string; valAuc: number; bestBaselineValAuc: number; beatsAll: boolean }[];
  ranking: {
    model: RankingMetrics;
    popularity: RankingMetrics;
    modelKey: string;
    candidates: string;
  };
  tuning: { key: string; method: TuneMethod; trials: TrialResult[] }[];
  /** Test-set curves per row, downsampled. */
  curves: { key: string; roc: CurvePoint[]; pr: CurvePoint[] }[];
  importances: { key: string; values: Importance[] };
  /** Chosen model, test rows, at its tuned threshold. */
  confusion: Confusion;
  /** Wall and process CPU seconds (all threads) per stage; cpuSeconds absent in older runs. */
  timings: { stage: string; seconds: number; cpuSeconds?: number }[];
  totalSeconds: number;
  /** Peak resident memory of the training process (MiB), worker threads included. */
  peakRssMb: number;
}

export function rowKey(r: { model: string; variant: string }): string {
  return r.variant === "reference" ? r.model : `${r.model}-${r.variant}`;
}
