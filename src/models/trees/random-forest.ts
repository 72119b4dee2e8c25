/**
 * Random forest on any dense table (library entry point `trainForest`): the boosting engine's
 * grower with bootstrap rows, per-node feature sampling, no shrinkage and leaf = class
 * probability; predictions average the trees. Trees grow in parallel on all threads (see
 * forest-builder.ts) and the result does not depend on the thread count. The out-of-bag ROC AUC
 * and log loss are kept in the model's info.
 */
import { Worker } from "node:worker_threads";
import { Rng } from "../../core/index.js";
import { binMatrix } from "./bin-matrix.js";
import { resolveConfig } from "./config-spec.js";
import { type ForestTask, growForestPart, OOB_SCALE } from "./forest-builder.js";
import type { TrainOptions } from "./gbdt.js";
import { PackedForest } from "./packed-tree.js";
import { type RfConfig, rfSpec } from "./rf-config.js";
import { rocAuc } from "./synthetic-table.js";
import { TreeModel } from "./tree-model.js";
import { checkTable, type TreeTable } from "./tree-table.js";
import { defaultThreads, treeWorkerUrl } from "./worker-pool.js";

export async function trainForest(
  train: TreeTable,
  config: Partial<RfConfig> = {},
  opts: Omit<TrainOptions, "valid"> = {},
): Promise<TreeModel> {
  const c = resolveConfig("rf", rfSpec, config);
  const y0 = checkTable(train, "rf training table", true, true);
  const { rows, cols, values } = train;
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const threads = Math.max(1, Math.min(Math.floor(opts.threads ?? defaultThreads()), c.trees));
  const shared = threads > 1;
  const { bins, binsT, stride, mapper, usable } = binMatrix(
    values,
    rows,
    cols,
    c.maxBins,
    rng.fork(1),
    shared,
  );
  const seed = rng.nextUint32();
  const labels = new Float32Array(
    shared ? new SharedArrayBuffer(rows * 4) : new ArrayBuffer(rows * 4),
  );
  labels.set(y0);
  const p = Math.max(usable.length, 1);
  const perNode = {
    sqrt: Math.floor(Math.sqrt(p)),
    log2: Math.floor(Math.log2(p)),
    third: Math.floor(p / 3),
    half: Math.floor(p / 2),
    all: p,
  }[c.maxFeatures];
  const task: ForestTask = {
    rows,
    cols: stride,
    bins,
    binsT,
    labels,
    mapper,
    usable,
    trees: c.trees,
    seed,
    bootstrap: c.bootstrap === "yes",
    sampleFraction: c.sampleFraction,
    params: {
      lambda: 0,
      gamma: 0,
      minChildWeight: 0,
      minRowsPerLeaf: c.minRowsPerLeaf,
      maxDepth: c.maxDepth,
      maxLeaves: 0,
      lossguide: false,
      nodeFeatures: Math.max(1, perNode),
      subtraction: false,
      shrinkage: 1,
      stopWhenPure: true,
    },
  };
  const counter = new Int32Array(shared ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
  const grown: PackedForest[] = new Array(c.trees);
  const gains: Float64Array[] = new Array(c.trees);
  let done = 0;
  const report = (): void =>
    opts.onProgress?.({ stage: "rf", done, total: c.trees, unit: "trees" });
  const workers: Worker[] = [];
  const finished: Promise<{ oobSum: Float64Array; oobCount: Uint32Array }>[] = [];
  try {
    for (let w = 1; w < threads; w++) {
      const worker = new Worker(treeWorkerUrl(), {
        workerData: { mode: "forest", task, counter: counter.buffer },
      });
      worker.unref();
      workers.push(worker);
      finished.push(
        new Promise((resolve, reject) => {
          worker.on("message", (m: WorkerMessage) => {
            if (m.kind === "tree") {
              const f = m.forest;
              grown[m.t] = new PackedForest(
                f.treeStart,
                f.feature,
                f.threshold,
                f.left,
                f.defaultLeft,
                f.value,
                f.cover,
              );
              gains[m.t] = m.gain;
              done++;
              report();
            } else resolve(m);
          });
          worker.once("error", reject);
          worker.once("exit", (code) => reject(new Error(`rf worker exited early (code ${code})`)));
        }),
      );
    }
    const mine = growForestPart(task, counter, (t, f, g) => {
      grown[t] = f;
      gains[t] = g;
      done++;
      report();
    });
    const parts = [mine, ...(await Promise.all(finished))];
    const oobSum = new Float64Array(rows);
    const oobCount = new Uint32Array(rows);
    for (const part of parts) {
      for (let r = 0; r < rows; r++) {
        oobSum[r] += part.oobSum[r];
        oobCount[r] += part.oobCount[r];
      }
    }
    const forest = PackedForest.concat(grown);
    return new TreeModel(
      {
        family: "rf",
        featureNames: opts.names ?? Array.from({ length: cols }, (_, i) => `f${i}`),
        objective: "squared",
        link: false,
        logitContributions: true,
        baseScore: 0,
        treeScale: 1 / c.trees,
        ...importances(forest, gains, cols),
        config: { ...c },
        info: { ...oobScores(oobSum, oobCount, y0), nodes: forest.nodes },
      },
      forest,
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

type WorkerMessage =
  | { kind: "tree"; t: number; forest: PackedForest; gain: Float64Array }
  | { kind: "done"; oobSum: Float64Array; oobCount: Uint32Array };

/** Total split gain (weighted squared-error drop) and split count per feature, summed in tree order. */
function importances(
  f: PackedForest,
  gains: Float64Array[],
  cols: number,
): { gain: number[]; splits: number[] } {
  const gain = new Array<number>(cols).fill(0);
  const splits = new Array<number>(cols).fill(0);
  for (const g of gains) for (let j = 0; j < cols; j++) gain[j] += g[j];
  for (let i = 0; i < f.nodes; i++) if (f.feature[i] >= 0) splits[f.feature[i]] += 1;
  return { gain, splits };
}

function oobScores(
  sum: Float64Array,
  count: Uint32Array,
  y: Float32Array,
): Record<string, number | null> {
  const p: number[] = [];
  const labels: number[] = [];
  let ll = 0;
  for (let r = 0; r < y.length; r++) {
    if (count[r] === 0) continue;
    const v = sum[r] / OOB_SCALE / count[r];
    p.push(v);
    labels.push(y[r]);
    const q = Math.min(Math.max(y[r] === 1 ? v : 1 - v, 1e-15), 1);
    ll -= Math.log(q);
  }
  return {
    oobRows: p.length,
    oobAuc: p.length > 0 ? rocAuc(p, labels) : null,
    oobLogLoss: p.length > 0 ? ll / p.length : null,
  };
}
