/**
 * `npm run bench:mf-features`: what the collaborative scores add as features. On ml-latest-small
 * (stratified split, seed 42) the feature pipeline is built twice — without and with the "mf"
 * (mf_pred, mf_dot) and "knn" (knn_score, knn_count) pair sources, which it fits out-of-fold —
 * and the gradient-boosted model (validation early stopping) and logistic regression are fitted
 * on each; the table gives test ROC AUC. Prints a Markdown table (README "Benchmarks") and
 * writes bench/out/mf-features.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "../src/core/index.js";
import { loadDataset } from "../src/data/index.js";
import { rocAuc } from "../src/evaluation/index.js";
import { buildFeatures, type PairFeatureSource } from "../src/features/index.js";
import { mfFeatureSource } from "../src/models/factorization/index.js";
import { getModel } from "../src/models/index.js";
import { knnFeatureSource } from "../src/models/neighbors/index.js";
import { splitDataset } from "../src/splits/index.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const log = (s: string) => process.stderr.write(`${s}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");

async function main(): Promise<void> {
  log(`load average at start: ${load()}`);
  const dir = join(root, "..", "shared", "data", "ml-latest-small");
  const { dataset } = await loadDataset(dir, {
    store: join(root, "bench", ".cache", "mf-ml-latest-small.duckdb"),
  });
  const split = splitDataset(dataset, { kind: "stratified", seed: 42 });
  const threads = availableParallelism();
  const variants: { name: string; sources: PairFeatureSource[] }[] = [
    { name: "without CF features", sources: [] },
    {
      name: "with mf_pred, mf_dot, knn_score, knn_count (OOF)",
      sources: [mfFeatureSource({}, { threads }), knnFeatureSource({}, { threads })],
    },
  ];
  const rows: {
    features: string;
    model: string;
    testAuc: number;
    validAuc: number;
    seconds: number;
  }[] = [];
  for (const v of variants) {
    let t = performance.now();
    const built = await buildFeatures(dataset, split, { pairSources: v.sources });
    log(`${v.name}: features in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const { train, val, test } = built.matrices;
    for (const [name, config] of [
      ["gbdt", { trees: 400, earlyStoppingRounds: 30 }],
      ["lr", {}],
    ] as const) {
      const family = getModel(name);
      if (!family) throw new Error(`model family ${name} is not registered`);
      t = performance.now();
      const model = await family.fit(train, family.config(config as never), {
        rng: new Rng(42),
        valid: val,
        threads,
      });
      const seconds = (performance.now() - t) / 1000;
      rows.push({
        features: v.name,
        model: name,
        testAuc: rocAuc(model.predict(test.values, test.rows), test.labels),
        validAuc: rocAuc(model.predict(val.values, val.rows), val.labels),
        seconds,
      });
      await model.dispose?.();
    }
  }
  console.log("\nml-latest-small, stratified split (seed 42)\n");
  console.log("| features | model | validation AUC | test AUC | fit seconds |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.features} | ${r.model} | ${r.validAuc.toFixed(4)} | ${r.testAuc.toFixed(4)} | ${r.seconds.toFixed(1)} |`,
    );
  }
  console.log(`\nload average at the end: ${load()}`);
  mkdirSync(join(root, "bench", "out"), { recursive: true });
  writeFileSync(
    join(root, "bench", "out", "mf-features.json"),
    `${JSON.stringify(rows, null, 2)}\n`,
  );
}

await main();
