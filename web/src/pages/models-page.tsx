/**
 * Models page: how well each model predicts "like" — the sortable comparison table with a
 * validation/test toggle, ROC and PR curves of every model, the chosen model's feature
 * importance, confusion matrix and calibration, and the split the numbers come from.
 */
import { type CSSProperties, useMemo, useState } from "react";
import type {
  ComparisonRow,
  Curve,
  Metrics,
  ModelsResponse,
} from "../../../src/serve/api-types.js";
import { Chart, type ChartOption, PALETTE } from "../components/chart.js";
import { Segmented } from "../components/segmented.js";
import { ErrorMessage, Loading } from "../components/status.js";
import { api } from "../lib/api.js";
import { formatInt, formatNum, formatPct } from "../lib/format.js";
import { useAsync } from "../lib/use-async.js";

type Part = "validation" | "test";
type SortKey = "id" | "family" | "fitSeconds" | keyof Metrics;

const METRIC_COLS: { key: keyof Metrics; label: string; higherIsBetter: boolean }[] = [
  { key: "rocAuc", label: "ROC AUC", higherIsBetter: true },
  { key: "prAuc", label: "PR AUC", higherIsBetter: true },
  { key: "logLoss", label: "Log loss", higherIsBetter: false },
  { key: "brier", label: "Brier", higherIsBetter: false },
  { key: "accuracy", label: "Accuracy", higherIsBetter: true },
  { key: "precision", label: "Precision", higherIsBetter: true },
  { key: "recall", label: "Recall", higherIsBetter: true },
  { key: "f1", label: "F1", higherIsBetter: true },
];

const axisLabel = { color: "#64748b" };
const splitLine = { lineStyle: { color: "#eef2f7" } };

function ComparisonTable({ rows, part }: { rows: ComparisonRow[]; part: Part }) {
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "rocAuc", desc: true });
  const sorted = useMemo(() => {
    const val = (r: ComparisonRow): number | string =>
      sort.key === "id" || sort.key === "family"
        ? r[sort.key]
        : sort.key === "fitSeconds"
          ? r.fitSeconds
          : r[part][sort.key];
    return [...rows].sort((a, b) => {
      const x = val(a);
      const y = val(b);
      const c = typeof x === "string" ? x.localeCompare(String(y)) : x - (y as number);
      return sort.desc ? -c : c;
    });
  }, [rows, part, sort]);
  const best = useMemo(() => {
    const out = new Map<keyof Metrics, number>();
    for (const c of METRIC_COLS) {
      const vals = rows.map((r) => r[part][c.key]).filter(Number.isFinite);
      if (vals.length) out.set(c.key, c.higherIsBetter ? Math.max(...vals) : Math.min(...vals));
    }
    return out;
  }, [rows, part]);

  const header = (key: SortKey, label: string, num = true) => {
    const active = sort.key === key;
    return (
      <th
        scope="col"
        className={num ? "num" : ""}
        aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}
      >
        <button
          type="button"
          className={`sort-btn${active ? " active" : ""}`}
          onClick={() =>
            setSort({
              key,
              desc: active
                ? !sort.desc
                : num && key !== "logLoss" && key !== "brier" && key !== "fitSeconds",
            })
          }
        >
          {label}
          <span aria-hidden="true" className="sort-arrow">
            {active ? (sort.desc ? "▼" : "▲") : "↕"}
          </span>
        </button>
      </th>
    );
  };

  return (
    <div className="table-wrap">
      <table className="table comparison" data-testid="comparison-table">
        <caption className="sr-only">
          Model comparison on the {part} set; select a column header to sort.
        </caption>
        <thead>
          <tr>
            {header("id", "Model", false)}
            {header("family", "Family", false)}
            {METRIC_COLS.map((c) => header(c.key, c.label))}
            {header("fitSeconds", "Fit (s)")}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.id} className={r.chosen ? "chosen" : ""}>
              <th scope="row">
                <span className="model-id">{r.id}</span>
                {r.chosen && <span className="badge">chosen</span>}
                {r.variant === "baseline" && <span className="badge gray">baseline</span>}
                {r.variant === "reference" && <span className="badge gray">reference</span>}
              </th>
              <td>{r.family}</td>
              {METRIC_COLS.map((c) => {
                const v = r[part][c.key];
                return (
                  <td key={c.key} className={`num${best.get(c.key) === v ? " best" : ""}`}>
                    {formatNum(v)}
                  </td>
                );
              })}
              <td className="num">{formatNum(r.fitSeconds, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const legendRows = (curves: Curve[]) => Math.ceil((curves.length + 1) / 3);

function curveOption(
  curves: Curve[],
  kind: "roc" | "pr",
  chosen: string,
  baseRate: number | null,
): ChartOption {
  const ordered = [...curves].sort((a, b) => b.auc - a.auc);
  return {
    // A wrapping legend under the plot: one line per three series.
    grid: { left: 52, right: 16, top: 16, bottom: 48 + legendRows(curves) * 22 },
    tooltip: {
      trigger: "item",
      formatter: (p: { seriesName: string; value: [number, number] }) =>
        `${p.seriesName}<br/>${p.value[0].toFixed(3)}, ${p.value[1].toFixed(3)}`,
    },
    legend: { bottom: 0, itemWidth: 14, itemGap: 8, textStyle: { color: "#334155", fontSize: 11 } },
    xAxis: {
      type: "value",
      min: 0,
      max: 1,
      name: kind === "roc" ? "False positive rate" : "Recall",
      nameLocation: "middle",
      nameGap: 26,
      axisLabel,
      splitLine,
    },
    yAxis: {
      type: "value",
      min: 0,
      max: 1,
      name: kind === "roc" ? "True positive rate" : "Precision",
      nameLocation: "middle",
      nameGap: 36,
      axisLabel,
      splitLine,
    },
    series: [
      ...ordered.map((c, i) => ({
        type: "line",
        name: `${c.id} (${c.auc.toFixed(3)})`,
        data: c.points,
        showSymbol: false,
        lineStyle: { width: c.id === chosen ? 3 : 1.5 },
        color: PALETTE[i % PALETTE.length],
        z: c.id === chosen ? 5 : 2,
      })),
      {
        type: "line",
        name: kind === "roc" ? "chance" : "base rate",
        data:
          kind === "roc"
            ? [
                [0, 0],
                [1, 1],
              ]
            : [
                [0, baseRate ?? 0],
                [1, baseRate ?? 0],
              ],
        showSymbol: false,
        lineStyle: { type: "dashed", color: "#94a3b8", width: 1 },
        color: "#94a3b8",
        tooltip: { show: false },
      },
    ],
  };
}

/**
 * Ranking metrics arrive flat ("ndcg@10", "popularity.ndcg@10"): a prefix names the ranker
 * (none = the chosen model). Shown as one row per metric, one column per ranker.
 */
function RankingTable({ ranking, chosen }: { ranking: Record<string, number>; chosen: string }) {
  const rankers: string[] = [];
  const metricsOrder: string[] = [];
  const cell = new Map<string, number>();
  for (const [key, value] of Object.entries(ranking)) {
    const dot = key.lastIndexOf(".", key.indexOf("@") >= 0 ? key.indexOf("@") : key.length);
    const ranker = dot > 0 ? key.slice(0, dot) : chosen;
    const metric = dot > 0 ? key.slice(dot + 1) : key;
    if (!rankers.includes(ranker)) rankers.push(ranker);
    if (!metricsOrder.includes(metric)) metricsOrder.push(metric);
    cell.set(`${ranker}|${metric}`, value);
  }
  return (
    <div className="table-wrap">
      <table className="table compact" data-testid="ranking-table">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {rankers.map((r) => (
              <th scope="col" className="num" key={r}>
                {r}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {metricsOrder.map((metric) => (
            <tr key={metric}>
              <th scope="row">{metric}</th>
              {rankers.map((r) => {
                const v = cell.get(`${r}|${metric}`);
                return (
                  <td className="num" key={r}>
                    {v === undefined ? "–" : formatNum(v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConfusionMatrix({ c }: { c: ModelsResponse["confusion"] }) {
  const total = c.tp + c.fp + c.tn + c.fn || 1;
  const cell = (n: number, good: boolean, label: string) => (
    <td
      className={`cm-cell ${good ? "good" : "bad"}`}
      style={{ "--alpha": String(0.15 + 0.75 * (n / total)) } as CSSProperties}
      aria-label={`${label}: ${n}`}
    >
      <div className="cm-n">{formatInt(n)}</div>
      <div className="cm-pct">{formatPct(n / total)}</div>
      <div className="cm-label">{label}</div>
    </td>
  );
  const precision = c.tp / (c.tp + c.fp || 1);
  const recall = c.tp / (c.tp + c.fn || 1);
  return (
    <div>
      <table className="cm" data-testid="confusion-matrix">
        <caption className="sr-only">Confusion matrix at threshold {c.threshold}</caption>
        <thead>
          <tr>
            <td />
            <th scope="col">Predicted like</th>
            <th scope="col">Predicted dislike</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Liked</th>
            {cell(c.tp, true, "true positive")}
            {cell(c.fn, false, "false negative")}
          </tr>
          <tr>
            <th scope="row">Disliked</th>
            {cell(c.fp, false, "false positive")}
            {cell(c.tn, true, "true negative")}
          </tr>
        </tbody>
      </table>
      <p className="muted small">
        At P(like) ≥ {c.threshold.toFixed(3)}: precision {formatPct(precision)}, recall{" "}
        {formatPct(recall)}.
      </p>
    </div>
  );
}

function ModelsView({ m }: { m: ModelsResponse }) {
  const [part, setPart] = useState<Part>("validation");
  const chosen = m.rows.find((r) => r.chosen) ?? m.rows.find((r) => r.id === m.chosen);
  const positives = m.confusion.tp + m.confusion.fn;
  const baseRate =
    positives / (m.confusion.tp + m.confusion.fn + m.confusion.fp + m.confusion.tn || 1);

  const charts = useMemo(() => {
    const imp = [...m.importance]
      .sort((a, b) => b.value - a.value)
      .slice(0, 15)
      .reverse();
    const importance: ChartOption = {
      grid: { left: 170, right: 24, top: 8, bottom: 28 },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: (v: number) => v.toFixed(4),
      },
      xAxis: { type: "value", axisLabel, splitLine },
      yAxis: {
        type: "category",
        data: imp.map((x) => x.feature),
        axisLabel: { ...axisLabel, fontSize: 11, width: 160, overflow: "truncate" },
      },
      series: [
        {
          type: "bar",
          name: "Importance",
          data: imp.map((x) => x.value),
          itemStyle: { color: "#4f46e5", borderRadius: [0, 4, 4, 0] },
        },
      ],
    };
    const cal = m.calibration.filter((b) => b.count > 0);
    const calibration: ChartOption = {
      grid: { left: 52, right: 52, top: 24, bottom: 48 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: "#334155", fontSize: 11 } },
      xAxis: {
        type: "value",
        min: 0,
        max: 1,
        name: "Mean predicted P(like)",
        nameLocation: "middle",
        nameGap: 28,
        axisLabel,
        splitLine,
      },
      yAxis: [
        {
          type: "value",
          min: 0,
          max: 1,
          name: "Fraction liked",
          nameLocation: "middle",
          nameGap: 36,
          axisLabel,
          splitLine,
        },
        {
          type: "value",
          name: "Rows",
          nameLocation: "middle",
          nameGap: 40,
          axisLabel,
          splitLine: { show: false },
        },
      ],
      series: [
        {
          type: "bar",
          name: "Rows in bin",
          yAxisIndex: 1,
          data: cal.map((b) => [b.meanPredicted, b.count]),
          barWidth: 10,
          itemStyle: { color: "rgba(148,163,184,0.35)" },
        },
        {
          type: "line",
          name: "Model",
          data: cal.map((b) => [b.meanPredicted, b.fractionPositive]),
          symbolSize: 7,
          lineStyle: { width: 2.5, color: "#4f46e5" },
          itemStyle: { color: "#4f46e5" },
        },
        {
          type: "line",
          name: "Perfect",
          data: [
            [0, 0],
            [1, 1],
          ],
          showSymbol: false,
          lineStyle: { type: "dashed", color: "#94a3b8", width: 1 },
          itemStyle: { color: "#94a3b8" },
        },
      ],
    };
    return { importance, calibration };
  }, [m]);

  // A run may store curves for one part only (e.g. test): then show those, and say so.
  const other: Part = part === "test" ? "validation" : "test";
  const curvePart: Part = m.roc[part].length === 0 && m.roc[other].length > 0 ? other : part;
  const roc = useMemo(() => curveOption(m.roc[curvePart], "roc", m.chosen, null), [m, curvePart]);
  const pr = useMemo(
    () => curveOption(m.pr[curvePart], "pr", m.chosen, baseRate),
    [m, curvePart, baseRate],
  );
  const curveNote = curvePart !== part ? ` (this run stores ${curvePart} curves only)` : "";

  return (
    <>
      <section className="stat-grid" aria-label="Run summary">
        <div className="stat-card">
          <div className="stat-label">Chosen model</div>
          <div className="stat-value small-value">{m.chosen}</div>
          {chosen && <div className="stat-hint">test ROC AUC {formatNum(chosen.test.rocAuc)}</div>}
        </div>
        <div className="stat-card">
          <div className="stat-label">Split</div>
          <div className="stat-value small-value">{m.split.kind}</div>
          <div className="stat-hint">
            seed {m.split.seed}
            {m.split.dropped ? ` · ${formatInt(m.split.dropped)} rows dropped` : ""}
          </div>
        </div>
        <div className="stat-card">
          <div className="stat-label">Train / validation / test</div>
          <div className="stat-value small-value" data-testid="split-sizes">
            {formatInt(m.split.train)} / {formatInt(m.split.validation)} / {formatInt(m.split.test)}
          </div>
          <div className="stat-hint">rows</div>
        </div>
        <div className="stat-card">
          <div className="stat-label">Like means</div>
          <div className="stat-value small-value">rating ≥ {m.threshold}</div>
          <div className="stat-hint">decision threshold {formatNum(m.decisionThreshold)}</div>
        </div>
      </section>

      <section className="panel">
        <div className="panel-head">
          <div>
            <h2>Model comparison</h2>
            <p className="panel-sub">Best value per column in bold. Run {m.run}.</p>
          </div>
          <Segmented
            label="Metrics on"
            name="part"
            value={part}
            onChange={setPart}
            options={[
              { value: "validation", label: "Validation" },
              { value: "test", label: "Test" },
            ]}
          />
        </div>
        <ComparisonTable rows={m.rows} part={part} />
      </section>

      <div className="grid-2">
        <section className="panel">
          <h2>ROC curves ({curvePart})</h2>
          <p className="panel-sub">
            Area under the curve in brackets; the chosen model is drawn thicker{curveNote}
          </p>
          <Chart
            option={roc}
            height={340 + legendRows(m.roc[curvePart]) * 22}
            label={`ROC curves of every model on the ${curvePart} set`}
          />
        </section>
        <section className="panel">
          <h2>Precision–recall curves ({curvePart})</h2>
          <p className="panel-sub">
            Average precision in brackets; dashed line = share of likes{curveNote}
          </p>
          <Chart
            option={pr}
            height={340 + legendRows(m.pr[curvePart]) * 22}
            label={`Precision-recall curves of every model on the ${curvePart} set`}
          />
        </section>
        <section className="panel">
          <h2>Feature importance</h2>
          <p className="panel-sub">What the chosen model ({m.chosen}) leans on most</p>
          <Chart
            option={charts.importance}
            height={380}
            label="Bar chart of feature importance of the chosen model"
          />
        </section>
        <section className="panel">
          <h2>Calibration</h2>
          <p className="panel-sub">
            When the model says 70%, do 70% of those ratings turn out liked?
          </p>
          <Chart
            option={charts.calibration}
            height={380}
            label="Calibration plot: predicted probability against observed like rate"
          />
        </section>
        <section className="panel">
          <h2>Confusion matrix</h2>
          <p className="panel-sub">
            Chosen model on the test set at the validation-chosen threshold
          </p>
          <ConfusionMatrix c={m.confusion} />
        </section>
        {m.ranking && Object.keys(m.ranking).length > 0 && (
          <section className="panel">
            <h2>Ranking quality</h2>
            <p className="panel-sub">Top-k recommendation metrics on test users</p>
            <RankingTable ranking={m.ranking} chosen={m.chosen} />
          </section>
        )}
      </div>
    </>
  );
}

export function ModelsPage() {
  const models = useAsync(() => api.models(), []);
  return (
    <div className="page" data-testid="page-models">
      <header className="page-head">
        <h1>Models</h1>
        <p className="lead">
          How well each model predicts whether a person will like a movie, on ratings it never saw.
        </p>
      </header>
      {models.error && (
        <ErrorMessage
          error={models.error}
          onRetry={models.reload}
          title="Could not load the model comparison"
        />
      )}
      {models.loading && <Loading label="Loading model results…" />}
      {models.data && <ModelsView m={models.data} />}
    </div>
  );
}
