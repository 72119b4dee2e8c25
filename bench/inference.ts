/**
 * `npm run bench:inference`: CPU time of tree inference per recommendation list, in process —
 * the two tree costs of serving GET /api/users/:id/recommendations?k=10:
 *
 *   predict   raw scores of the list's candidate rows (a few hundred, one user)
 *   explain   TreeSHAP of the k shown rows for the features a reason can name
 *
 * Real requests: the run's recommender (openRecommender) builds top-10 lists for random known
 * users while this bench records the feature rows it scores and the rows it explains; each
 * method then replays the same recorded lists. Baselines and the serving paths run in the same
 * process, interleaved round by round (the machine is shared: compare the ratio, not the
 * absolute time); every result is checked against the baseline (bit-identical scores,
 * contributions within 1e-6) before it is timed.
 *
 * Each method runs twice per round: cold (the headline: before each list, untimed, --thrash MB
 * of other memory is streamed over, as a server's other work between lists evicts the tables
 * from the caches) and warm (lists back to back, the same tables in cache every time). The
 * default 16 MB: TreeSHAP's CPU per list inside the real recommender (in process, other work
 * between lists) fell between this bench's 8 MB and 32 MB figures, for the old and new code.
 *
 *   node dist/bench/inference.js [--run DIR] [--data DIR] [--lists 300] [--rounds 5]
 *                                [--thrash MB (default 16)]
 *
 * Default run: /tmp/apirun/latest (train one with `cinerank train --out /tmp/apirun`). Prints
 * CPU ms per list (process.cpuUsage around each list: this thread only, no workers are used),
 * wall ms and os.loadavg().
 */
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { rngFor } from "../src/core/index.js";
import { type LikeModel, TreeModel, TreeShap } from "../src/models/index.js";
import { openRecommender, reasonFeatures, rowContributions } from "../src/recommend/index.js";
import { rankScored } from "../src/recommend/rank-scored.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Recorded {
  rows: Float32Array;
  n: number;
  top: number[];
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

/** Memory streamed over before each cold list (--thrash). */
let thrash = new Float64Array(0);
let sink = 0;

/** CPU and wall ms per list of fn over every recorded list, each timed on its own. */
function time(
  lists: Recorded[],
  fn: (l: Recorded) => void,
  cold: boolean,
): { cpu: number; wall: number } {
  let cpu = 0;
  let wall = 0;
  let s = 0; // (a local: a module-level number would allocate a heap number per add)
  for (const l of lists) {
    if (cold) {
      for (let i = 0; i < thrash.length; i += 8) {
        thrash[i] += 1;
        s += thrash[i];
      }
    }
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    fn(l);
    const c = process.cpuUsage(c0);
    cpu += c.user + c.system;
    wall += performance.now() - w0;
  }
  sink += s;
  return { cpu: cpu / 1000 / lists.length, wall: wall / lists.length };
}

async function main(): Promise<void> {
  const run = resolve(arg("run", "/tmp/apirun/latest"));
  const data = process.argv.includes("--data") ? resolve(arg("data", "")) : undefined;
  const count = Number(arg("lists", "300"));
  const rounds = Number(arg("rounds", "5"));
  const thrashMb = Number(arg("thrash", "16"));
  thrash = new Float64Array((thrashMb * 2 ** 20) / 8);
  const store = join(tmpdir(), "cinerank-bench-inference", "store.duckdb");
  const loadBefore = load();
  const opened = await openRecommender({ run, data, store });
  const rec = opened.recommender;
  const model: LikeModel = rec.parts.model;
  if (!(model instanceof TreeModel)) throw new Error(`the run's model is ${model.family}`);
  const cols = model.featureNames.length;
  const explained = reasonFeatures(model.featureNames);

  // Record the lists: the rows each recommend() scores, and which of them it shows.
  const lists: Recorded[] = [];
  const featurizer = rec.parts.featurizer;
  const forUser = featurizer.forUser.bind(featurizer);
  featurizer.forUser = (user, movies) => {
    const rows = forUser(user, movies);
    const p = model.predict(rows, movies.length);
    lists.push({ rows, n: movies.length, top: rankScored(p, movies, 10) });
    return rows;
  };
  const users = opened.dataset.users.toArray();
  const rng = rngFor(11);
  while (lists.length < count) rec.recommend(users[rng.int(users.length)], { k: 10 });
  featurizer.forUser = forUser;
  await rec.close();
  const meanRows = lists.reduce((s, l) => s + l.n, 0) / lists.length;

  const forest = model.forest;
  const layout = forest.predictLayout();
  const scale = model.header.treeScale;
  const base = model.header.baseScore;
  const shap = new TreeShap(forest);
  const subset = shap.subset(explained);

  // The methods: baselines first (the code before this bench's changes, still in the library).
  const predictBaseline = (l: Recorded): Float64Array => {
    const out = new Float64Array(l.n);
    layout.addRaw(l.rows, cols, 0, l.n, 0, forest.trees, scale, out);
    for (let r = 0; r < l.n; r++) out[r] += base;
    return out;
  };
  const predictServing = (l: Recorded): Float64Array => model.predictRaw(l.rows, l.n);
  const explainBaseline = (l: Recorded): Float64Array => {
    const phi = new Float64Array(l.top.length * cols);
    shap.explainRows(
      l.rows,
      l.top.map((i) => i * cols),
      phi,
      cols,
      scale,
      subset,
    );
    return phi;
  };
  const explainServing = (l: Recorded): Float64Array => {
    const c = rowContributions(model, l.rows, cols, l.top, explained);
    const phi = new Float64Array(l.top.length * cols);
    c.forEach((x, r) => {
      phi.set(x.values, r * cols);
    });
    return phi;
  };

  // Check every serving result against its baseline before timing anything.
  let worst = 0;
  for (const l of lists) {
    const a = predictBaseline(l);
    const b = predictServing(l);
    for (let r = 0; r < l.n; r++) {
      if (!Object.is(a[r], b[r]))
        throw new Error(`predict differs at row ${r}: ${a[r]} vs ${b[r]}`);
    }
    const x = explainBaseline(l);
    const y = explainServing(l);
    for (let j = 0; j < x.length; j++) {
      // the serving path reports float32 contributions
      const d = Math.abs(Math.fround(x[j]) - y[j]);
      if (d > worst) worst = d;
    }
  }
  if (worst > 1e-6) throw new Error(`contributions differ by ${worst}`);

  const methods: [string, (l: Recorded) => unknown][] = [
    ["predict: baseline (PredictLayout.addRaw)", predictBaseline],
    ["predict: serving (TreeModel.predictRaw)", predictServing],
    ["explain: baseline (TreeShap.explainRows + FeatureSubset)", explainBaseline],
    ["explain: serving (rowContributions)", explainServing],
  ];
  const cpu = methods.map(() => [] as number[]);
  const warm = methods.map(() => [] as number[]);
  const wall = methods.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    methods.forEach(([, fn], m) => {
      const t = time(lists, fn, true);
      cpu[m].push(t.cpu);
      wall[m].push(t.wall);
      warm[m].push(time(lists, fn, false).cpu);
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const lines = [
    `bench:inference — run ${run}, model ${model.family} (${forest.trees} trees, ${forest.nodes} nodes, ${cols} features), ${lists.length} recorded lists (${meanRows.toFixed(0)} candidate rows, ${lists[0].top.length} explained each), ${rounds} rounds, max |contribution difference| ${worst.toExponential(1)}`,
    `loadavg before ${loadBefore}, after ${load()}; cold = ${thrashMb} MB streamed before each list${sink < 0 ? "" : ""}`,
    "",
    "| method | CPU ms per list, cold (median of rounds) | CPU ms per list, warm | wall ms per list, cold | vs baseline (CPU cold / warm) |",
    "|---|---|---|---|---|",
  ];
  methods.forEach(([name], m) => {
    const ref = m % 2 === 0 ? m : m - 1;
    lines.push(
      `| ${name} | ${median(cpu[m]).toFixed(3)} | ${median(warm[m]).toFixed(3)} | ${median(wall[m]).toFixed(3)} | ${(median(cpu[ref]) / median(cpu[m])).toFixed(2)}x / ${(median(warm[ref]) / median(warm[m])).toFixed(2)}x |`,
    );
  });
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
