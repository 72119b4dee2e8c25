import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { REPORT_FIGURES, readLatest } from "../../src/artifacts/index.js";
import { checkHtml } from "./html-check.js";
import { ML_LATEST_SMALL, runCli, startCli } from "./cli-runner.js";
import { writeSyntheticMovieLens } from "./synthetic-movielens.js";

let tmp = "";
let env: Record<string, string> = {};
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "cinerank-e2e-"));
  env = { CINERANK_STORE_DIR: join(tmp, "stores") };
  await writeSyntheticMovieLens(join(tmp, "data"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test("train on a small fixture: table, --json, run folder, latest, evaluate, report; a killed run never becomes latest", async () => {
  const out = join(tmp, "artifacts");
  const r = await runCli(
    [
      "train",
      "--data",
      join(tmp, "data"),
      "--models",
      "lr",
      "--tune",
      "both",
      "--trials",
      "2",
      "--out",
      out,
      "--json",
      "--quiet",
    ],
    env,
  );
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.deepEqual(
    m.rows.map((x: { model: string; variant: string }) => `${x.model}/${x.variant}`),
    [
      "global-like-rate/reference",
      "movie-like-rate/reference",
      "user-like-rate/reference",
      "lr/baseline",
      "lr/grid",
      "lr/random",
    ],
  );
  assert.equal(m.rows.filter((x: { chosen: boolean }) => x.chosen).length, 1);
  assert.ok(m.chosen.testAuc > 0.6, `test AUC ${m.chosen.testAuc}`);
  assert.equal(m.tuning.find((t: { key: string }) => t.key === "lr-random").trials.length, 2);
  const runDir = m.runDir as string;
  for (const f of [
    "run.json",
    "metrics.json",
    "comparison.md",
    "comparison.csv",
    "report.html",
    "split.csv",
    "recommendations.csv",
    "features/spec.json",
    "models/lr-baseline.bin",
    "models/lr-grid.bin",
    "models/lr-random.bin",
  ]) {
    assert.ok(existsSync(join(runDir, f)), `missing ${f}`);
  }
  assert.equal(await readLatest(out), m.runId);
  // no temporary files survive a complete run
  const all = await readdir(runDir, { recursive: true });
  assert.deepEqual(
    all.filter((f) => f.endsWith(".tmp")),
    [],
  );

  // recommendations: at most 10 per user, never a movie the user already rated
  const ratings = (await readFile(join(tmp, "data", "ratings.csv"), "utf8"))
    .trim()
    .split("\n")
    .slice(1);
  const rated = new Set(ratings.map((l) => l.split(",").slice(0, 2).join(",")));
  const recs = (await readFile(join(runDir, "recommendations.csv"), "utf8")).trim().split("\n");
  assert.equal(recs[0], "userId,rank,movieId,score,title");
  const perUser = new Map<string, number>();
  for (const l of recs.slice(1)) {
    const [u, , mv] = l.split(",");
    assert.ok(!rated.has(`${u},${mv}`), `recommended an already rated movie: ${l}`);
    perUser.set(u, (perUser.get(u) ?? 0) + 1);
  }
  assert.ok(perUser.size >= 100 && [...perUser.values()].every((n) => n === 10));

  // the report is well-formed, self-contained and embeds every figure it names
  const html = await readFile(join(runDir, "report.html"), "utf8");
  assert.deepEqual(checkHtml(html), []);
  for (const fig of REPORT_FIGURES) {
    assert.match(html, new RegExp(`<svg id="${fig.id}"[^>]*>`), `figure ${fig.id} not embedded`);
    assert.ok(html.includes(`href="#${fig.id}"`), `figure ${fig.id} not named in the page`);
  }
  assert.match(html, /<path d="M/); // curves were drawn

  // evaluate prints the stored table; --json gives back the same metrics
  const ev = await runCli(["evaluate", "--run", out], env);
  assert.equal(ev.code, 0, ev.stderr);
  assert.match(ev.stdout, /\| lr \| baseline \|/);
  const evj = JSON.parse((await runCli(["evaluate", "--run", runDir, "--json"], env)).stdout);
  assert.equal(evj.chosen.key, m.chosen.key);
  assert.equal(evj.rows.length, m.rows.length);
  const rep = await runCli(["report", "--run", out, "--out", join(tmp, "again.html")], env);
  assert.equal(rep.code, 0, rep.stderr);
  assert.equal(await readFile(join(tmp, "again.html"), "utf8"), html);

  // kill a second, slower run part-way: latest must not move
  const p = startCli(
    [
      "train",
      "--data",
      join(tmp, "data"),
      "--models",
      "lr",
      "--cf",
      "none",
      "--tune",
      "random",
      "--trials",
      "400",
      "--out",
      out,
      "--quiet",
    ],
    env,
  );
  const before = new Set(await readdir(out));
  let killedIn = "";
  for (let i = 0; i < 600 && !killedIn; i++) {
    await new Promise((res) => setTimeout(res, 25));
    const now = (await readdir(out)).filter((d) => !before.has(d));
    if (now.length > 0 && existsSync(join(out, now[0], "models", "lr-baseline.bin"))) {
      p.kill("SIGKILL");
      killedIn = now[0];
    }
  }
  await new Promise((res) => p.on("close", res));
  assert.ok(killedIn, "the second run never started writing");
  assert.ok(!existsSync(join(out, killedIn, "run.json")), "the killed run has a manifest");
  assert.equal(await readLatest(out), m.runId, "latest moved to a killed run");
  const ev2 = JSON.parse((await runCli(["evaluate", "--run", out, "--json"], env)).stdout);
  assert.equal(ev2.runId, m.runId);
  const bad = await runCli(["evaluate", "--run", join(out, killedIn)], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /ERR_RUN_NOT_FOUND/);
});

test("train on ml-latest-small (stratified, seed 42): lr + a small gbdt beat the three baselines; gbdt test AUC >= 0.83", {
  skip: !existsSync(ML_LATEST_SMALL) && "ml-latest-small not found",
}, async () => {
  const out = join(tmp, "artifacts-small");
  const r = await runCli(
    [
      "train",
      "--data",
      ML_LATEST_SMALL,
      "--models",
      "lr,gbdt",
      "--config",
      '{"gbdt":{"trees":120,"learningRate":0.15}}',
      "--cf",
      "none",
      "--out",
      out,
      "--json",
      "--quiet",
      "--ranking-users",
      "15",
      "--top-n",
      "0",
    ],
    env,
  );
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.split.kind, "stratified");
  assert.equal(m.split.seed, 42);
  assert.equal(m.dataset.ratings, 100836);
  assert.ok(
    m.baselineCheck.every((b: { beatsAll: boolean }) => b.beatsAll),
    JSON.stringify(m.baselineCheck),
  );
  const auc = (model: string) =>
    m.rows.find((x: { model: string }) => x.model === model).test.rocAuc as number;
  assert.ok(auc("lr") > 0.8, `lr test AUC ${auc("lr")}`);
  assert.ok(auc("gbdt") >= 0.83, `gbdt test AUC ${auc("gbdt")}`);
  assert.equal(m.chosen.key, "gbdt-baseline");
  assert.equal(m.ranking.model.users + m.ranking.model.skippedUsers, 15);
});

test("start trains on $CINERANK_DATA and takes train's options", async () => {
  const out = join(tmp, "artifacts-start");
  const r = await runCli(
    [
      "start",
      "--no-serve",
      "--models",
      "lr",
      "--cf",
      "none",
      "--out",
      out,
      "--quiet",
      "--top-n",
      "3",
    ],
    { ...env, CINERANK_DATA: join(tmp, "data") },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /chosen model: lr-baseline/);
  assert.match(r.stdout, /data validation: no issues/);
  assert.ok(await readLatest(out));
  const bad = await runCli(["train", "--data", join(tmp, "data"), "--tune", "sometimes"], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /ERR_INVALID_ARGUMENT.*--tune/);
});

test("start trains, then serves the new run until SIGTERM", async () => {
  const out = join(tmp, "artifacts-start-serve");
  const p = startCli(
    [
      "start",
      "--models",
      "lr",
      "--cf",
      "none",
      "--out",
      out,
      "--quiet",
      "--top-n",
      "0",
      "--port",
      "0",
    ],
    { ...env, CINERANK_DATA: join(tmp, "data") },
  );
  let stderr = "";
  p.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((res) => p.on("close", (code) => res(code)));
  try {
    const deadline = Date.now() + 120_000;
    let url: string | null = null;
    let health: { status?: string; run?: string } = {};
    while (Date.now() < deadline) {
      url ??= /serving on (http:\/\/[^\s]+) /.exec(stderr)?.[1] ?? null;
      if (url) {
        const res = await fetch(`${url}/api/health`).catch(() => null);
        if (res?.status === 200) {
          health = (await res.json()) as typeof health;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(url, `no "serving on" line; stderr: ${stderr}`);
    assert.equal(health.status, "ok");
    const latest = await readLatest(out);
    assert.ok(
      latest && latest.endsWith(health.run ?? "?"),
      `serves ${health.run}, latest ${latest}`,
    );
  } finally {
    p.kill("SIGTERM");
  }
  assert.equal(await exited, 0, stderr);
});
