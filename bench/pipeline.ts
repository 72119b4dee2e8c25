/**
 * `npm run bench:pipeline`: end-to-end `cinerank train` (every registered family, baseline
 * variants) on ml-latest-small and on an ml-20m-shaped synthetic dataset (`cinerank generate`
 * defaults, cached under bench/.cache), with stage timings and peak memory; then, in the same
 * run, the original study's pandas / scikit-learn / XGBoost pipeline (bench/pipeline_reference.py)
 * on exactly the same split rows, for the time ratio. Installs Debian's python3-xgboost,
 * python3-sklearn and python3-pandas when missing. Prints a Markdown table.
 *
 *   node dist/bench/pipeline.js [--only small|synthetic] [--models lr,gbdt] [--train-timeout-s 3600]
 *                               [--reference-timeout-s 1800]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "cinerank.js");
// Debian's python3-* packages install for the system interpreter, not for a pyenv shim.
const PY = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(cmd: string, argv: string[], timeoutS: number): Promise<Run> {
  return new Promise((res) => {
    const t0 = performance.now();
    const p = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => {
      stdout += d;
    });
    p.stderr.on("data", (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutS * 1000);
    p.on("close", (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

function ensurePython(): boolean {
  const ok = () => spawnSync(PY, ["-c", "import xgboost, sklearn, pandas"]).status === 0;
  if (ok()) return true;
  process.stderr.write("installing python3-xgboost python3-sklearn python3-pandas (apt-get)...\n");
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  spawnSync(
    "apt-get",
    ["install", "-y", "-qq", "python3-xgboost", "python3-sklearn", "python3-pandas"],
    { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
  );
  return ok();
}

function hasCommand(name: string): boolean {
  return spawnSync(process.execPath, [BIN, name, "--help"]).status === 0;
}

async function main(): Promise<void> {
  const only = flag("only");
  const models = flag("models");
  const refTimeout = Number(flag("reference-timeout-s") ?? 1800);
  const datasets: { name: string; dir: string }[] = [];
  if (only !== "synthetic")
    datasets.push({
      name: "ml-latest-small",
      dir: resolve(ROOT, "..", "shared", "data", "ml-latest-small"),
    });
  const notes: string[] = [];
  if (only !== "small") {
    const dir = join(ROOT, "bench", ".cache", "synthetic-ml20m");
    if (!existsSync(join(dir, "ratings.csv"))) {
      if (hasCommand("generate")) {
        process.stderr.write(`generating the ml-20m-shaped synthetic dataset in ${dir}...\n`);
        execFileSync(process.execPath, [BIN, "generate", "--out", dir], { stdio: "inherit" });
      } else
        notes.push(
          "synthetic ml-20m-shaped dataset skipped: `cinerank generate` is not available in this build",
        );
    }
    if (existsSync(join(dir, "ratings.csv")))
      datasets.push({ name: "synthetic ml-20m-shaped", dir });
  }
  const python = ensurePython();
  if (!python)
    notes.push(
      "reference pipeline skipped: python3 with xgboost, sklearn and pandas could not be installed",
    );
  const rows: string[] = [];
  for (const d of datasets) {
    const out = join(ROOT, "bench", "out", `pipeline-${d.name.replace(/[^a-z0-9]+/gi, "-")}`);
    // progress lines go to stderr (forwarded), so a run that times out still shows where it was
    const trainArgs = [BIN, "train", "--data", d.dir, "--out", out, "--json"];
    if (models) trainArgs.push("--models", models);
    const load = loadavg()[0].toFixed(1);
    const trainTimeout = Number(flag("train-timeout-s") ?? 3600);
    const r = await run(process.execPath, trainArgs, trainTimeout);
    if (r.code !== 0) {
      rows.push(
        `| ${d.name} | ${r.code === null ? `did not finish within ${trainTimeout} s` : `failed (exit ${r.code})`} | | | | | | ${load} |`,
      );
      continue;
    }
    const m = JSON.parse(r.stdout);
    const stages = (m.timings as { stage: string; seconds: number }[])
      .map((t) => `${t.stage} ${t.seconds.toFixed(1)}`)
      .join(", ");
    let ref = "not run";
    let ratio = "";
    if (python) {
      const pr = await run(
        PY,
        [
          join(ROOT, "bench", "pipeline_reference.py"),
          d.dir,
          join(m.runDir, "split.csv"),
          String(m.split.threshold),
          String(m.sampling.maxTrainRows),
        ],
        refTimeout,
      );
      if (pr.code === 0) {
        const p = JSON.parse(pr.stdout.trim().split("\n").pop() ?? "{}");
        const aucs = Object.entries(p.models as Record<string, { test_auc: number }>)
          .map(([k, v]) => `${k} ${v.test_auc.toFixed(4)}`)
          .join(", ");
        ref = `${p.total_seconds.toFixed(1)} s, ${Math.round(p.peak_rss_mb)} MiB; test AUC ${aucs}`;
        ratio = `${(m.totalSeconds / p.total_seconds).toFixed(2)}`;
      } else
        ref =
          pr.code === null
            ? `did not finish within ${refTimeout} s`
            : `failed (exit ${pr.code}): ${pr.stderr.trim().split("\n").pop()}`;
    }
    const aucs = (m.rows as { model: string; variant: string; test: { rocAuc: number } }[])
      .filter((x) => x.variant !== "reference")
      .map((x) => `${x.model} ${x.test.rocAuc.toFixed(4)}`)
      .join(", ");
    rows.push(
      `| ${d.name} | ${m.totalSeconds.toFixed(1)} | ${stages} | ${Math.round(m.peakRssMb)} | ${m.chosen.key} ${m.chosen.testAuc.toFixed(4)} (${aucs}) | ${ref} | ${ratio} | ${load} |`,
    );
  }
  const header = [
    `pipeline benchmark — ${new Date().toISOString()}, ${cpus().length} cores, load average at end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
    "",
    "| dataset | cinerank total s | stages (s) | peak RSS MiB | chosen: test AUC (all models) | reference pandas/sklearn/XGBoost | time ratio cinerank/reference | load at start |",
    "|---|---:|---|---:|---|---|---:|---:|",
  ];
  process.stdout.write(`${[...header, ...rows, "", ...notes].join("\n")}\n`);
}

await main();
