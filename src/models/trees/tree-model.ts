/**
 * A fitted tree ensemble — gradient boosting or random forest — as a LikeModel. It holds only
 * prediction state: the packed forest, the base score, the tree weight (1 for boosting,
 * 1/trees for the forest's average) and the objective's link. Both families share it, which
 * keeps "random forest is the boosting engine with other settings" true after training too.
 *
 *   raw(row) = baseScore + treeScale * sum over trees of leaf value
 *   predict  = sigmoid(raw) for binary boosting, raw for the forest (already a probability)
 *              and for squared error
 */
import { CinerankError } from "../../core/index.js";
import type { Importance, LikeModel } from "../model.js";
import { type ObjectiveName, objectiveFor } from "./objectives/index.js";
import type { PackedForest } from "./packed-tree.js";
import { deserializeForest, serializeForest } from "./serialize.js";
import { defaultThreads } from "./worker-pool.js";
import { forestRaw } from "./predict-pool.js";
import { TreeShap } from "./shap.js";

export interface TreeModelHeader {
  family: string;
  featureNames: string[];
  objective: ObjectiveName;
  /** Apply the objective's link (sigmoid) in predict; false for the forest. */
  link: boolean;
  baseScore: number;
  treeScale: number;
  /**
   * The forest: predictions are probabilities, but contributions are reported on the logit
   * scale (LikeModel's contract), by scaling the probability-scale TreeSHAP values so they sum
   * to logit(p) - logit(expected p). Signs and proportions are kept; the split is exact in
   * probability units.
   */
  logitContributions?: boolean;
  /** Total split gain and split count per feature (training-time importance). */
  gain: number[];
  splits: number[];
  /** The config the model was fitted with and facts about the fit (best iteration, OOB...). */
  config: Record<string, unknown>;
  info: Record<string, number | string | null>;
}

export class TreeModel implements LikeModel {
  private shap: TreeShap | null = null;

  constructor(
    readonly header: TreeModelHeader,
    readonly forest: PackedForest,
  ) {}

  get family(): string {
    return this.header.family;
  }

  get featureNames(): readonly string[] {
    return this.header.featureNames;
  }

  get trees(): number {
    return this.forest.trees;
  }

  get info(): Readonly<Record<string, number | string | null>> {
    return this.header.info;
  }

  /**
   * Raw scores (logits for binary boosting) of `rows` rows. Large batches are scored on the
   * process-wide prediction pool (predict-pool.ts; `threads` default: setPredictThreads, i.e. all
   * cores), small ones (serving) in this thread; the scores are bit-identical either way.
   */
  predictRaw(
    values: Float32Array,
    rows: number,
    threads?: number,
    meanwhile?: () => void,
  ): Float64Array {
    const cols = this.header.featureNames.length;
    if (values.length < rows * cols) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `${this.family}.predict: values has ${values.length} entries, expected ${rows} rows x ${cols} features`,
      );
    }
    const out = forestRaw(
      this.forest,
      values,
      cols,
      rows,
      this.header.treeScale,
      threads,
      meanwhile,
    );
    const base = this.header.baseScore;
    for (let r = 0; r < rows; r++) out[r] += base;
    return out;
  }

  predict(values: Float32Array, rows: number): Float32Array {
    return this.link(this.predictRaw(values, rows));
  }

  /**
   * predict() with an explicit thread count (default: all cores). Kept async for callers that
   * await it; the work itself runs on the shared prediction pool, whose workers start once per
   * process and keep each forest once, so repeated calls pay no start-up or copying of the
   * model. Bit-identical to predict(). `meanwhile` runs once on this thread while the workers
   * score (the ranking prepares its next batch there).
   */
  async predictParallel(
    values: Float32Array,
    rows: number,
    threads = defaultThreads(),
    meanwhile?: () => void,
  ): Promise<Float32Array> {
    return this.link(this.predictRaw(values, rows, threads, meanwhile));
  }

  private link(raw: Float64Array): Float32Array {
    const rows = raw.length;
    const out = new Float32Array(rows);
    if (this.header.link) {
      const obj = objectiveFor(this.header.objective);
      for (let r = 0; r < rows; r++) out[r] = obj.transform(raw[r]);
    } else out.set(raw);
    return out;
  }

  importance(): Importance[] {
    return this.header.featureNames
      .map((feature, i) => ({ feature, value: this.header.gain[i] }))
      .sort((a, b) => b.value - a.value || a.feature.localeCompare(b.feature));
  }

  /** Split counts per feature, largest first. */
  splitCounts(): Importance[] {
    return this.header.featureNames
      .map((feature, i) => ({ feature, value: this.header.splits[i] }))
      .sort((a, b) => b.value - a.value || a.feature.localeCompare(b.feature));
  }

  contributions(row: Float32Array): { bias: number; values: Float32Array } {
    const cols = this.header.featureNames.length;
    if (row.length < cols) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `${this.family}.contributions: row has ${row.length} values, expected ${cols}`,
      );
    }
    const { bias, values } = this.contributions64(row);
    if (!this.header.logitContributions) return { bias, values: Float32Array.from(values) };
    // probability scale -> logit scale (see TreeModelHeader.logitContributions)
    const p = this.predictRaw(row, 1)[0];
    const clip = (v: number): number => Math.min(1 - 1e-7, Math.max(1e-7, v));
    const logit = (v: number): number => Math.log(v / (1 - v));
    const target = logit(clip(Math.fround(p)));
    const base = logit(clip(bias));
    const delta = p - bias;
    const factor =
      Math.abs(delta) > 1e-12 ? (target - base) / delta : 1 / (clip(bias) * (1 - clip(bias)));
    const out = new Float32Array(cols);
    for (let j = 0; j < cols; j++) out[j] = values[j] * factor;
    return { bias: base, values: out };
  }

  /** Contributions in float64 (exact sums for tests and explanations). */
  contributions64(row: ArrayLike<number>): { bias: number; values: Float64Array } {
    this.shap ??= new TreeShap(this.forest);
    const phi = new Float64Array(this.header.featureNames.length);
    this.shap.explain(row, 0, phi, this.header.treeScale);
    return {
      bias: this.header.baseScore + this.shap.expectedValue(this.header.treeScale),
      values: phi,
    };
  }

  serialize(): Uint8Array {
    return serializeForest(this.header, this.forest);
  }

  static load(bytes: Uint8Array, family: string): TreeModel {
    const { header, forest } = deserializeForest<TreeModelHeader>(bytes, `${family} model`);
    if (header.family !== family) {
      throw new CinerankError(
        "ERR_MODEL_FORMAT",
        `${family} model: the bytes hold a "${header.family}" model, expected "${family}"`,
      );
    }
    const cols = header.featureNames?.length ?? 0;
    for (let i = 0; i < forest.nodes; i++) {
      if (forest.feature[i] >= cols) {
        throw new CinerankError(
          "ERR_MODEL_FORMAT",
          `${family} model: node ${i} splits on feature ${forest.feature[i]} of ${cols}`,
        );
      }
    }
    return new TreeModel(header, forest);
  }
}
