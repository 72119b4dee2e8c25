/** Number and date formatting shared by the pages (one locale, consistent precision). */
const intFmt = new Intl.NumberFormat("en-US");

export const formatInt = (n: number): string => intFmt.format(Math.round(n));
export const formatPct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
export const formatNum = (x: number, digits = 3): string =>
  Number.isFinite(x) ? x.toFixed(digits) : "–";

export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleDateString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

/** MovieLens titles put articles last ("Matrix, The (1999)"); the year is shown separately. */
export function displayTitle(title: string): string {
  const noYear = title.replace(/\s*\(\d{4}\)\s*$/, "").trim();
  const m = /^(.*), (The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El)$/.exec(noYear);
  if (!m) return noYear;
  return m[2].endsWith("'") ? `${m[2]}${m[1]}` : `${m[2]} ${m[1]}`;
}
