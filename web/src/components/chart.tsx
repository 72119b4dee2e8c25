/**
 * Chart: a lazily loaded ECharts box. The chart library is the largest part of the app, and two
 * of the four pages draw no charts, so it lives in its own chunk that loads on first use; until
 * then a blank box of the same height keeps the layout still.
 */
import type { EChartsCoreOption } from "echarts/core";
import { lazy, Suspense, useMemo } from "react";

export type ChartOption = EChartsCoreOption;

export const PALETTE = [
  "#4f46e5",
  "#f59e0b",
  "#10b981",
  "#ef4444",
  "#0ea5e9",
  "#a855f7",
  "#64748b",
  "#ec4899",
  "#84cc16",
  "#14b8a6",
];

const BASE: ChartOption = {
  color: PALETTE,
  aria: { enabled: true },
  textStyle: { fontFamily: "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif" },
  animationDuration: 400,
};

const EChartsBox = lazy(() => import("./echarts-box.js"));

export function Chart({
  option,
  height = 280,
  label,
}: {
  option: ChartOption;
  height?: number;
  label: string;
}) {
  // Memoised so a parent re-render with the same option does not redraw the chart.
  const full = useMemo(() => ({ ...BASE, ...option }), [option]);
  return (
    <Suspense
      fallback={
        <div
          className="chart chart-loading"
          role="img"
          style={{ height }}
          aria-busy="true"
          aria-label={label}
        />
      }
    >
      <EChartsBox option={full} height={height} label={label} />
    </Suspense>
  );
}
