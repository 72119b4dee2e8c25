/**
 * report.html: a self-contained page (inline CSS and SVG, no scripts, no external requests)
 * rendered from RunMetrics alone. It names its figures in REPORT_FIGURES; each is an <svg> with
 * that id, so a test can check that every figure the page names is really embedded.
 */
import type { ComparisonTableRow, RankingMetrics } from "../evaluation/index.js";
import { rowKey, type RunMetrics } from "./run-metrics.js";
import { barChart, confusionChart, esc, lineChart, type Series } from "./svg-charts.js";

export const REPORT_FIGURES = [
  { id: "fig-roc", title: "ROC curves (test)" },
  { id: "fig-pr", title: "Precision-recall curves (test)" },
  { id: "fig-importance", title: "Feature importances (chosen model)" },
  { id: "fig-reliability", title: "Reliability (chosen model, test)" },
  { id: "fig-confusion", title: "Confusion matrix (chosen model, test, chosen threshold)" },
  { id: "fig-ratings", title: "Rating distribution" },
] as const;

const f4 = (x: number | null | undefined): string =>
  typeof x === "number" && Number.isFinite(x) ? x.toFixed(4) : "n/a";
const int = (x: number): string => x.toLocaleString("en-US");

function table(headers: string[], rows: (string | number)[][], cls = ""): string {
  const th = headers.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c) => `<td>${typeof c === "number" ? esc(String(c)) : c}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function comparisonTable(rows: readonly ComparisonTableRow[]): string {
  const headers = [
    "model",
    "variant",
    "val AUC",
    "test AUC",
    "test PR AUC",
    "test log loss",
    "test Brier",
    "test F1@0.5",
    "threshold",
    "test F1@t",
    "test acc@t",
    "fit s",
  ];
  const body = rows.map((r) => {
    const mark = r.chosen ? " <strong>(chosen)</strong>" : "";
    return [
      `${esc(r.model)}${mark}`,
      esc(r.variant),
      f4(r.val.rocAuc),
      f4(r.test.rocAuc),
      f4(r.test.prAuc),
      f4(r.test.logLoss),
      f4(r.test.brier),
      f4(r.test.at05.f1),
      f4(r.test.atTuned.threshold),
      f4(r.test.atTuned.f1),
      f4(r.test.atTuned.accuracy),
      r.fitSeconds.toFixed(2),
    ];
  });
  return table(headers, body, "num");
}

function rankingTable(m: {
  model: RankingMetrics;
  popularity: RankingMetrics;
  modelKey: string;
}): string {
  const rows: (string | number)[][] = [];
  for (const [name, r] of [
    [m.modelKey, m.model],
    ["popularity", m.popularity],
  ] as const) {
    for (const k of r.atK)
      rows.push([
        esc(name),
        k.k,
        f4(k.precision),
        f4(k.recall),
        f4(k.ndcg),
        f4(k.map),
        f4(k.hitRate),
        f4(k.coverage),
      ]);
  }
  return table(
    ["ranker", "k", "Precision", "Recall", "NDCG", "MAP", "HitRate", "coverage"],
    rows,
    "num",
  );
}

export function renderReportHtml(m: RunMetrics): string {
  const chosenRow = m.rows.find((r) => r.chosen) ?? m.rows[0];
  const curveKeys = new Set(m.curves.map((c) => c.key));
  const series = (kind: "roc" | "pr"): Series[] =>
    m.rows
      .filter((r) => curveKeys.has(rowKey(r)))
      .map((r) => {
        const c = m.curves.find((x) => x.key === rowKey(r))!;
        return {
          name: `${rowKey(r)} (${kind === "roc" ? f4(r.test.rocAuc) : f4(r.test.prAuc)})`,
          points: c[kind],
          dashed: r.variant === "reference",
        };
      });
  const rel = chosenRow?.test.reliability ?? [];
  const d = m.dataset;
  const figs: Record<string, string> = {
    "fig-roc": lineChart({
      id: "fig-roc",
      title: "ROC curves (test)",
      xLabel: "false positive rate",
      yLabel: "true positive rate",
      series: series("roc"),
      diagonal: true,
    }),
    "fig-pr": lineChart({
      id: "fig-pr",
      title: "Precision-recall curves (test)",
      xLabel: "recall",
      yLabel: "precision",
      series: series("pr"),
    }),
    "fig-importance": barChart({
      id: "fig-importance",
      title: `Feature importances (${m.importances.key})`,
      bars: m.importances.values.slice(0, 25).map((i) => ({ label: i.feature, value: i.value })),
    }),
    "fig-reliability": lineChart({
      id: "fig-reliability",
      title: `Reliability (${m.chosen.key}, test)`,
      xLabel: "mean predicted P(like)",
      yLabel: "observed like rate",
      series: [
        {
          name: m.chosen.key,
          points: rel
            .filter((b) => b.count > 0)
            .map((b) => [b.meanPredicted, b.observedRate] as [number, number]),
        },
      ],
      diagonal: true,
      markers: true,
    }),
    "fig-confusion": confusionChart({
      id: "fig-confusion",
      title: `Confusion at threshold ${f4(m.chosen.threshold)} (test)`,
      ...m.confusion,
    }),
    "fig-ratings": barChart({
      id: "fig-ratings",
      title: "Rating distribution",
      bars: d.ratingHistogram.map((h) => ({ label: `${h.rating}`, value: h.count })),
    }),
  };
  const chosenTrials = m.tuning.filter((t) => t.trials.length > 0);
  const css = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;font-size:12.5px}th,td{border:1px solid #ddd;padding:3px 7px}
th{background:#f4f4f4}table.num td{text-align:right}table.num td:first-child,table.num td:nth-child(2){text-align:left}
.figs{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border:1px solid #eee}
.kpi{display:inline-block;margin:0 24px 8px 0}.kpi b{font-size:20px;display:block}.warn{color:#a60}`;
  const warnings = m.dataWarnings.length
    ? `<ul class="warn">${m.dataWarnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>`
    : "<p>No data warnings.</p>";
  const genreRows = d.genres.map((g) => [esc(g.genre), int(g.movies)]);
  const s5 = (s: { min: number; median: number; mean: number; max: number }) =>
    `${int(s.min)} / ${int(s.median)} / ${s.mean.toFixed(1)} / ${int(s.max)}`;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cinerank report ${esc(m.runId)}</title>
<style>${css}</style>
</head>
<body>
<h1>cinerank training report</h1>
<p>Run <code>${esc(m.runId)}</code>, ${esc(m.createdAt)}, cinerank ${esc(m.cinerankVersion)}. Dataset <b>${esc(d.release)}</b>, ${esc(m.split.kind)} split (seed ${m.split.seed}), like = rating &gt;= ${m.split.threshold}.</p>
<div>
<span class="kpi">chosen model<b>${esc(m.chosen.key)}</b></span>
<span class="kpi">test ROC AUC<b>${f4(m.chosen.testAuc)}</b></span>
<span class="kpi">validation ROC AUC<b>${f4(m.chosen.valAuc)}</b></span>
<span class="kpi">threshold (best validation F1)<b>${f4(m.chosen.threshold)}</b></span>
<span class="kpi">total time<b>${m.totalSeconds.toFixed(1)} s</b></span>
</div>
<nav><p>Figures: ${REPORT_FIGURES.map((fg) => `<a href="#${fg.id}">${esc(fg.title)}</a>`).join(" · ")}</p></nav>

<h2 id="dataset">Dataset overview</h2>
${table(
  ["", ""],
  [
    ["release / layout", `${esc(d.release)} / ${esc(d.layout)}`],
    ["users", int(d.users)],
    ["movies", int(d.movies)],
    ["ratings", int(d.ratings)],
    ["like rate", f4(d.likeRate)],
    ["ratings per user (min / median / mean / max)", s5(d.ratingsPerUser)],
    ["ratings per movie (min / median / mean / max)", s5(d.ratingsPerMovie)],
    ["rating dates", `${esc(d.firstRating)} – ${esc(d.lastRating)}`],
    [
      "split rows (train / val / test)",
      `${int(m.split.counts.train ?? 0)} / ${int(m.split.counts.val ?? 0)} / ${int(m.split.counts.test ?? 0)}`,
    ],
    [
      "dropped (user not in train): val / test",
      `${int(m.split.counts.droppedVal ?? 0)} / ${int(m.split.counts.droppedTest ?? 0)}`,
    ],
    ["features", `${m.features.names.length}`],
    [
      "tree models' training rows",
      `${int(m.sampling.treeTrainRows)} of ${int(m.sampling.trainRows)}`,
    ],
  ],
)}
${warnings}
<div class="figs">${figs["fig-ratings"]}
${table(["genre", "movies"], genreRows, "num")}</div>

<h2 id="comparison">Model comparison</h2>
<p>Validation picks hyperparameters, the threshold and the final model (a simpler model wins ties within 0.001); test is read once. Reference rows are the like-rate baselines every model must beat on validation AUC.</p>
${comparisonTable(m.rows)}
${table(
  ["model", "val AUC", "best baseline val AUC", "beats every baseline"],
  m.baselineCheck.map((b) => [
    esc(b.key),
    f4(b.valAuc),
    f4(b.bestBaselineValAuc),
    b.beatsAll ? "yes" : "<b>no</b>",
  ]),
  "num",
)}

<h2 id="curves">ROC and precision-recall curves</h2>
<div class="figs">${figs["fig-roc"]}${figs["fig-pr"]}</div>

<h2 id="importance">Feature importances</h2>
${figs["fig-importance"]}

<h2 id="calibration">Calibration and decisions</h2>
<div class="figs">${figs["fig-reliability"]}${figs["fig-confusion"]}</div>
${table(
  ["bin", "rows", "mean predicted", "observed like rate"],
  rel.map((b) => [
    `${b.lower.toFixed(1)}–${b.upper.toFixed(1)}`,
    int(b.count),
    f4(b.meanPredicted),
    f4(b.observedRate),
  ]),
  "num",
)}

<h2 id="ranking">Ranking (test users)</h2>
<p>${esc(m.ranking.candidates)}. ${int(m.ranking.model.users)} users evaluated, ${int(m.ranking.model.skippedUsers)} skipped (no liked test movie).</p>
${rankingTable(m.ranking)}

<h2 id="tuning">Tuning trials</h2>
${
  chosenTrials.length === 0
    ? "<p>No tuning in this run (--tune none).</p>"
    : chosenTrials
        .map(
          (t) =>
            `<h3>${esc(t.key)}</h3>${table(
              ["trial", "params", "val AUC", "fit s"],
              t.trials.map((x) => [
                x.trial,
                `<code>${esc(JSON.stringify(x.params))}</code>`,
                f4(x.valAuc),
                x.fitSeconds.toFixed(2),
              ]),
              "num",
            )}`,
        )
        .join("\n")
}

<h2 id="timings">Stage timings</h2>
${table(
  ["stage", "seconds"],
  m.timings.map((t) => [esc(t.stage), t.seconds.toFixed(2)]),
  "num",
)}
</body>
</html>
`;
  return html;
}
