/**
 * A deliberately small logistic-regression family used only to test the contract suite itself
 * (and as a worked example of the ModelFamily interface): mean imputation, standardisation,
 * full-batch gradient descent with L2. Not a product model — src/models/linear is.
 */
import { CinerankError } from "../../src/core/index.js";
import type { FeatureMatrix } from "../../src/features/index.js";
import type { LikeModel, ModelFamily } from "../../src/models/index.js";

export interface RefLogitConfig {
  epochs: number;
  l2: number;
  learningRate: number;
}

interface State {
  names: string[];
  mean: number[];
  scale: number[];
  w: number[];
  b: number;
}

function model(s: State, family: string): LikeModel {
  const cols = s.names.length;
  const std = (v: number, j: number): number =>
    Number.isNaN(v) ? 0 : (v - s.mean[j]) / s.scale[j];
  return {
    family,
    featureNames: s.names,
    predict(values, rows) {
      const out = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let z = s.b;
        for (let j = 0; j < cols; j++) z += s.w[j] * std(values[r * cols + j], j);
        out[r] = 1 / (1 + Math.exp(-z));
      }
      return out;
    },
    importance() {
      return s.names
        .map((feature, j) => ({ feature, value: Math.abs(s.w[j]) }))
        .sort((a, b) => b.value - a.value);
    },
    contributions(row) {
      return { bias: s.b, values: Float32Array.from(s.names, (_, j) => s.w[j] * std(row[j], j)) };
    },
    serialize() {
      return new TextEncoder().encode(JSON.stringify({ format: "ref-logit/1", ...s }));
    },
  };
}

export function refLogitFamily(name = "ref-logit"): ModelFamily<RefLogitConfig> {
  const defaults: RefLogitConfig = { epochs: 300, l2: 1e-3, learningRate: 0.5 };
  return {
    name,
    description: "test-only logistic regression",
    defaults,
    searchSpace: {
      grid: { l2: [1e-4, 1e-2] },
      random: { learningRate: { type: "float", min: 0.05, max: 1, log: true } },
    },
    config(partial = {}) {
      const c = { ...defaults, ...partial };
      for (const k of Object.keys(c))
        if (!(k in defaults)) throw new CinerankError("ERR_INVALID_CONFIG", `unknown option ${k}`);
      if (!(c.learningRate > 0))
        throw new CinerankError("ERR_INVALID_CONFIG", "learningRate must be > 0");
      return c;
    },
    async fit(train: FeatureMatrix, c: RefLogitConfig) {
      const { rows, cols, values, labels } = train;
      const mean = new Array<number>(cols).fill(0);
      const scale = new Array<number>(cols).fill(1);
      for (let j = 0; j < cols; j++) {
        let n = 0;
        let s = 0;
        let s2 = 0;
        for (let r = 0; r < rows; r++) {
          const v = values[r * cols + j];
          if (!Number.isNaN(v)) {
            n++;
            s += v;
            s2 += v * v;
          }
        }
        mean[j] = n ? s / n : 0;
        scale[j] = n ? Math.sqrt(Math.max(s2 / n - mean[j] ** 2, 0)) || 1 : 1;
      }
      const st: State = {
        names: [...train.names],
        mean,
        scale,
        w: new Array<number>(cols).fill(0),
        b: 0,
      };
      const m = model(st, name);
      const row = new Float32Array(cols);
      for (let e = 0; e < c.epochs; e++) {
        const g = new Array<number>(cols).fill(0);
        let gb = 0;
        const p = m.predict(values, rows);
        for (let r = 0; r < rows; r++) {
          const d = p[r] - labels[r];
          gb += d;
          row.set(values.subarray(r * cols, (r + 1) * cols));
          for (let j = 0; j < cols; j++)
            g[j] += d * (Number.isNaN(row[j]) ? 0 : (row[j] - mean[j]) / scale[j]);
        }
        for (let j = 0; j < cols; j++) st.w[j] -= c.learningRate * (g[j] / rows + c.l2 * st.w[j]);
        st.b -= c.learningRate * (gb / rows);
      }
      return m;
    },
    load(bytes) {
      let s: State & { format?: string };
      try {
        s = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw new CinerankError("ERR_MODEL_FORMAT", "not a ref-logit model");
      }
      if (s.format !== "ref-logit/1")
        throw new CinerankError("ERR_MODEL_FORMAT", "not a ref-logit model");
      return model(s, name);
    },
  };
}
