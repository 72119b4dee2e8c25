/**
 * Tiny inline-SVG charts for the self-contained report: line charts (ROC, PR, reliability),
 * horizontal bar charts (feature importances, rating histogram) and a confusion-matrix grid.
 * No scripts, no external assets: the page opens anywhere and prints.
 *
 *   +--------------------------- width ---+
 *   | pad.l |  plot area (x: 0..1 -> px)   |
 *   |       |______________________________|
 *   |          axis labels (pad.b)          |
 */
export function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

export const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

export interface LineChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Draw the y = x reference line (ROC chance, perfect calibration). */
  diagonal?: boolean;
  /** Draw markers (for few points, e.g. reliability). */
  markers?: boolean;
  width?: number;
  height?: number;
}

const n2 = (x: number): string => (Math.round(x * 10) / 10).toString();

export function lineChart(o: LineChartOptions): string {
  const w = o.width ?? 460;
  const h = o.height ?? 360;
  const pad = { l: 48, r: 12, t: 28, b: 42 };
  const pw = w - pad.l - pad.r;
  const ph = h - pad.t - pad.b;
  const x = (v: number) => pad.l + v * pw;
  const y = (v: number) => pad.t + (1 - v) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg id="${esc(o.id)}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(o.title)}">`,
  );
  parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(
    `<text x="${w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  );
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    parts.push(
      `<line x1="${n2(x(v))}" y1="${pad.t}" x2="${n2(x(v))}" y2="${pad.t + ph}" stroke="#eee"/>`,
    );
    parts.push(
      `<line x1="${pad.l}" y1="${n2(y(v))}" x2="${pad.l + pw}" y2="${n2(y(v))}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${n2(x(v))}" y="${pad.t + ph + 14}" text-anchor="middle" font-size="10">${v.toFixed(1)}</text>`,
    );
    parts.push(
      `<text x="${pad.l - 6}" y="${n2(y(v) + 3)}" text-anchor="end" font-size="10">${v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${pad.l}" y="${pad.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  );
  parts.push(
    `<text x="${pad.l + pw / 2}" y="${h - 8}" text-anchor="middle" font-size="12">${esc(o.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(13 ${pad.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(o.yLabel)}</text>`,
  );
  if (o.diagonal)
    parts.push(
      `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#aaa" stroke-dasharray="4 4"/>`,
    );
  o.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (pts.length === 0) return;
    const d = pts.map((p, k) => `${k === 0 ? "M" : "L"}${n2(x(p[0]))} ${n2(y(p[1]))}`).join("");
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ""}><title>${esc(s.name)}</title></path>`,
    );
    if (o.markers)
      for (const p of pts)
        parts.push(`<circle cx="${n2(x(p[0]))}" cy="${n2(y(p[1]))}" r="3" fill="${color}"/>`);
  });
  // legend, bottom-right inside the plot
  const lx = pad.l + pw - 170;
  let ly = pad.t + ph - 10 - 14 * (o.series.length - 1);
  o.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    parts.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`,
    );
    parts.push(`<text x="${lx + 22}" y="${ly}" font-size="10">${esc(s.name)}</text>`);
    ly += 14;
  });
  parts.push("</svg>");
  return parts.join("");
}

export interface Bar {
  label: string;
  value: number;
}

export function barChart(o: {
  id: string;
  title: string;
  bars: readonly Bar[];
  valueLabel?: string;
  width?: number;
}): string {
  const w = o.width ?? 560;
  const rowH = 18;
  const pad = { l: 180, r: 70, t: 28, b: 10 };
  const h = pad.t + pad.b + rowH * Math.max(1, o.bars.length);
  const max = Math.max(1e-12, ...o.bars.map((b) => Math.abs(b.value)));
  const pw = w - pad.l - pad.r;
  const parts: string[] = [];
  parts.push(
    `<svg id="${esc(o.id)}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(o.title)}">`,
  );
  parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(
    `<text x="${w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  );
  o.bars.forEach((b, i) => {
    const y0 = pad.t + i * rowH;
    const bw = (Math.abs(b.value) / max) * pw;
    parts.push(
      `<text x="${pad.l - 6}" y="${y0 + 13}" text-anchor="end" font-size="11">${esc(b.label)}</text>`,
    );
    parts.push(
      `<rect x="${pad.l}" y="${y0 + 3}" width="${n2(bw)}" height="${rowH - 6}" fill="${b.value < 0 ? PALETTE[1] : PALETTE[0]}"/>`,
    );
    const txt =
      Math.abs(b.value) >= 100
        ? b.value.toLocaleString("en-US", { maximumFractionDigits: 0 })
        : b.value.toPrecision(3);
    parts.push(`<text x="${n2(pad.l + bw + 4)}" y="${y0 + 13}" font-size="10">${esc(txt)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

export function confusionChart(o: {
  id: string;
  title: string;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}): string {
  const w = 340;
  const h = 250;
  const cell = 100;
  const x0 = 120;
  const y0 = 60;
  const total = Math.max(1, o.tp + o.fp + o.tn + o.fn);
  const cells = [
    { r: 0, c: 0, v: o.tn, name: "true negatives" },
    { r: 0, c: 1, v: o.fp, name: "false positives" },
    { r: 1, c: 0, v: o.fn, name: "false negatives" },
    { r: 1, c: 1, v: o.tp, name: "true positives" },
  ];
  const max = Math.max(1, ...cells.map((c) => c.v));
  const parts: string[] = [];
  parts.push(
    `<svg id="${esc(o.id)}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(o.title)}">`,
  );
  parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(
    `<text x="${w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  );
  parts.push(
    `<text x="${x0 + cell}" y="${y0 - 22}" text-anchor="middle" font-size="11">predicted</text>`,
  );
  parts.push(
    `<text x="${x0 + cell / 2}" y="${y0 - 6}" text-anchor="middle" font-size="11">not like</text>`,
  );
  parts.push(
    `<text x="${x0 + 1.5 * cell}" y="${y0 - 6}" text-anchor="middle" font-size="11">like</text>`,
  );
  parts.push(
    `<text x="${x0 - 8}" y="${y0 + cell / 2 + 4}" text-anchor="end" font-size="11">actual not like</text>`,
  );
  parts.push(
    `<text x="${x0 - 8}" y="${y0 + 1.5 * cell + 4}" text-anchor="end" font-size="11">actual like</text>`,
  );
  for (const c of cells) {
    const a = 0.1 + 0.8 * (c.v / max);
    const x = x0 + c.c * cell;
    const y = y0 + c.r * cell;
    parts.push(
      `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgba(31,119,180,${a.toFixed(2)})" stroke="#fff"><title>${c.name}</title></rect>`,
    );
    parts.push(
      `<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" font-size="14" fill="${a > 0.55 ? "#fff" : "#000"}">${c.v.toLocaleString("en-US")}</text>`,
    );
    parts.push(
      `<text x="${x + cell / 2}" y="${y + cell / 2 + 16}" text-anchor="middle" font-size="10" fill="${a > 0.55 ? "#fff" : "#000"}">${((100 * c.v) / total).toFixed(1)}%</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}
