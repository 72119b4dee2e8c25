/**
 * The comparison table of a run: one row per model and variant (baseline / grid / random, plus
 * the reference baselines), validation and test metrics side by side, fit seconds, the chosen
 * model marked. Rendered as Markdown (printed and saved) and CSV (saved).
 */
import type { ClassificationMetrics } from "./classification-metrics.js";

export interface ComparisonTableRow {
  /** Model family or reference baseline name, e.g. "gbdt", "movie-like-rate". */
  model: string;
  /** "baseline" | "grid" | "random" | "reference". */
  variant: string;
  /** Hyperparameters of the fitted model (empty for references). */
  params: Record<string, unknown>;
  val: ClassificationMetrics;
  test: ClassificationMetrics;
  fitSeconds: number;
  chosen: boolean;
}

interface Column {
  header: string;
  get(r: ComparisonTableRow): string | number;
}

const f = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

export const COMPARISON_COLUMNS: readonly Column[] = [
  { header: "model", get: (r) => r.model },
  { header: "variant", get: (r) => r.variant },
  { header: "val AUC", get: (r) => f(r.val.rocAuc) },
  { header: "test AUC", get: (r) => f(r.test.rocAuc) },
  { header: "test PR AUC", get: (r) => f(r.test.prAuc) },
  { header: "test log loss", get: (r) => f(r.test.logLoss) },
  { header: "test Brier", get: (r) => f(r.test.brier) },
  { header: "test acc@0.5", get: (r) => f(r.test.at05.accuracy) },
  { header: "test F1@0.5", get: (r) => f(r.test.at05.f1) },
  { header: "threshold", get: (r) => f(r.test.atTuned.threshold, 3) },
  { header: "test acc@t", get: (r) => f(r.test.atTuned.accuracy) },
  { header: "test P@t", get: (r) => f(r.test.atTuned.precision) },
  { header: "test R@t", get: (r) => f(r.test.atTuned.recall) },
  { header: "test F1@t", get: (r) => f(r.test.atTuned.f1) },
  { header: "fit s", get: (r) => f(r.fitSeconds, 2) },
  { header: "chosen", get: (r) => (r.chosen ? "*" : "") },
];

export function comparisonMarkdown(rows: readonly ComparisonTableRow[]): string {
  const head = `| ${COMPARISON_COLUMNS.map((c) => c.header).join(" | ")} |`;
  const sep = `|${COMPARISON_COLUMNS.map((_c, i) => (i < 2 ? "---" : "---:")).join("|")}|`;
  const body = rows.map(
    (r) =>
      `| ${COMPARISON_COLUMNS.map((c) => String(c.get(r)).replace(/\|/g, "\\|")).join(" | ")} |`,
  );
  return `${[head, sep, ...body].join("\n")}\n`;
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with machine-friendly headers and full precision; params as one JSON cell. */
export function comparisonCsv(rows: readonly ComparisonTableRow[]): string {
  const parts = ["val", "test"] as const;
  const header = ["model", "variant", "chosen", "fit_seconds"];
  for (const p of parts) {
    header.push(
      `${p}_rows`,
      `${p}_roc_auc`,
      `${p}_pr_auc`,
      `${p}_log_loss`,
      `${p}_brier`,
      `${p}_accuracy_05`,
      `${p}_precision_05`,
      `${p}_recall_05`,
      `${p}_f1_05`,
      `${p}_threshold`,
      `${p}_accuracy_t`,
      `${p}_precision_t`,
      `${p}_recall_t`,
      `${p}_f1_t`,
    );
  }
  header.push("params");
  const lines = [header.join(",")];
  for (const r of rows) {
    const cells: (string | number)[] = [r.model, r.variant, r.chosen ? 1 : 0, r.fitSeconds];
    for (const p of parts) {
      const m = r[p];
      cells.push(m.rows, m.rocAuc, m.prAuc, m.logLoss, m.brier);
      for (const t of [m.at05, m.atTuned]) {
        if (t === m.atTuned) cells.push(t.threshold);
        cells.push(t.accuracy, t.precision, t.recall, t.f1);
      }
    }
    cells.push(JSON.stringify(r.params));
    lines.push(cells.map(csvCell).join(","));
  }
  return `${lines.join("\n")}\n`;
}
