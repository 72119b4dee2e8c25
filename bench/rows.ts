/**
 * `npm run bench:rows`: CPU time of the like-model's input side of a recommendation list, in
 * process — the feature rows of a list's candidates (PairFeaturizer.forUser: movie, user and
 * interaction columns plus the pair sources) and P(like) of those rows (LikeModel.predict).
 *
 * Real candidate sets: the run's recommender builds a top-10 list for every known user while
 * this bench records the (user, candidates) each list scores; the timed loops then replay them.
 * With `--baseline DIR` (another build's dist folder, e.g. a copy of main's) the same lists are
 * replayed through that build's featurizer and model too, interleaved round by round in this
 * process (the machine is shared: compare the ratio, not the absolute time), after checking
 * that both produce bit-identical rows and probabilities.
 *
 *   node dist/bench/rows.js [--run DIR] [--rounds 5] [--baseline DIST_DIR] [--only forUser|predict]
 *
 * Default run: `artifacts` (its latest run; `cinerank train` makes one). Prints CPU ms per list
 * (process.cpuUsage: this thread; no workers are used), wall ms, and os.loadavg() before and
 * after.
 */
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type OpenedRecommender, openRecommender } from "../src/recommend/index.js";
import type { ServingUser } from "../src/recommend/types.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

interface List {
  user: ServingUser;
  movies: Int32Array;
}

type Open = typeof openRecommender;

/** CPU and wall ms per list of fn over every list. */
function time(lists: List[], fn: (l: List) => unknown): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (const l of lists) fn(l);
  const c = process.cpuUsage(c0);
  return {
    cpu: (c.user + c.system) / 1000 / lists.length,
    wall: (performance.now() - w0) / lists.length,
  };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

async function main(): Promise<void> {
  const run = resolve(arg("run", "artifacts"));
  const rounds = Number(arg("rounds", "5"));
  const only = arg("only", "");
  const baseDir = process.argv.includes("--baseline") ? resolve(arg("baseline", "")) : null;
  const loadBefore = load();
  const dir = join(tmpdir(), `cinerank-bench-rows-${process.pid}`);
  const builds: { name: string; opened: OpenedRecommender }[] = [
    { name: "this build", opened: await openRecommender({ run, store: join(dir, "a.duckdb") }) },
  ];
  if (baseDir) {
    const mod = (await import(
      pathToFileURL(join(baseDir, "src", "recommend", "index.js")).href
    )) as { openRecommender: Open };
    builds.unshift({
      name: `baseline ${baseDir}`,
      opened: await mod.openRecommender({ run, store: join(dir, "b.duckdb") }),
    });
  }

  // Record every known user's list: the candidates its rows are built for.
  const rec = builds[builds.length - 1].opened.recommender;
  const lists: List[] = [];
  const featurizer = rec.parts.featurizer;
  const forUser = featurizer.forUser.bind(featurizer);
  featurizer.forUser = (user, movies) => {
    lists.push({ user, movies: movies.slice() });
    return forUser(user, movies);
  };
  for (const u of builds[0].opened.dataset.users.toArray()) rec.recommend(u, { k: 10 });
  featurizer.forUser = forUser;
  const meanRows = lists.reduce((s, l) => s + l.movies.length, 0) / lists.length;

  // Every build must give the same rows and probabilities.
  const ref = builds[0].opened.recommender.parts;
  for (const b of builds.slice(1)) {
    const p = b.opened.recommender.parts;
    for (const l of lists) {
      const x = ref.featurizer.forUser(l.user, l.movies);
      const y = p.featurizer.forUser(l.user, l.movies);
      if (!sameBits(x, y)) throw new Error(`${b.name}: rows differ for user ${l.user.id}`);
      const px = ref.model.predict(x, l.movies.length);
      const py = p.model.predict(y, l.movies.length);
      if (!sameBits(px, py)) throw new Error(`${b.name}: P(like) differs for user ${l.user.id}`);
    }
  }

  const rows = builds.map((b) =>
    lists.map((l) => b.opened.recommender.parts.featurizer.forUser(l.user, l.movies)),
  );
  const methods: [string, (l: List, i: number) => unknown][] = [];
  builds.forEach((b, k) => {
    const { featurizer: f, model } = b.opened.recommender.parts;
    if (only !== "predict")
      methods.push([`${b.name}: forUser`, (l) => f.forUser(l.user, l.movies)]);
    if (only !== "forUser")
      methods.push([`${b.name}: predict`, (l, i) => model.predict(rows[k][i], l.movies.length)]);
    if (only === "")
      methods.push([
        `${b.name}: forUser + predict`,
        (l) => model.predict(f.forUser(l.user, l.movies), l.movies.length),
      ]);
  });
  const indexed = lists.map((l, i) => ({ ...l, i }));
  const cpu = methods.map(() => [] as number[]);
  const wall = methods.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    methods.forEach(([, fn], m) => {
      const t = time(indexed, (l) => fn(l, (l as List & { i: number }).i));
      cpu[m].push(t.cpu);
      wall[m].push(t.wall);
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const per = methods.length / builds.length;
  const lines = [
    `bench:rows — run ${run}, ${lists.length} lists (one per known user, ${meanRows.toFixed(0)} candidate rows x ${ref.featurizer.names.length} columns), ${rounds} rounds`,
    `loadavg before ${loadBefore}, after ${load()}`,
    "",
    `| method | CPU ms per list (median) | wall ms per list | ${baseDir ? "vs baseline (CPU) |" : ""}`,
    `|---|---|---|${baseDir ? "---|" : ""}`,
  ];
  methods.forEach(([name], m) => {
    const vs = baseDir ? ` ${(median(cpu[m % per]) / median(cpu[m])).toFixed(2)}x |` : "";
    lines.push(`| ${name} | ${median(cpu[m]).toFixed(3)} | ${median(wall[m]).toFixed(3)} |${vs}`);
  });
  process.stdout.write(`${lines.join("\n")}\n`);
  for (const b of builds) await b.opened.recommender.close();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
