/**
 * One global time cut: ratings ranked by (timestamp, rating index); the first ratios[0] share
 * trains, the next ratios[1] validates, the rest tests. Ties at a cut are broken by rating
 * index, so the result is deterministic. Ranks are only needed at the two cut timestamps: a
 * sorted copy of the timestamps gives the cut values, one pass assigns the parts.
 */
import { PART_TEST, PART_TRAIN, PART_VAL } from "./split.js";

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function assignTemporal(
  timestamp: Float64Array,
  ratios: readonly [number, number, number],
): Uint8Array {
  const n = timestamp.length;
  const part = new Uint8Array(n);
  if (n === 0) return part;
  const n1 = Math.round(n * ratios[0]);
  const n2 = Math.min(n, n1 + Math.round(n * ratios[1]));
  const sorted = timestamp.slice().sort();
  // Rank r goes to train when r < n1, to val when r < n2, else to test.
  const c1 = sorted[Math.min(n - 1, Math.max(0, n1 - 1))];
  const c2 = sorted[Math.min(n - 1, Math.max(0, n2 - 1))];
  const lt1 = lowerBound(sorted, c1);
  const lt2 = lowerBound(sorted, c2);
  let tie1 = 0;
  let tie2 = 0;
  const byRank = (r: number): number => (r < n1 ? PART_TRAIN : r < n2 ? PART_VAL : PART_TEST);
  for (let i = 0; i < n; i++) {
    const t = timestamp[i];
    if (t === c1) part[i] = byRank(lt1 + tie1++);
    else if (t === c2) part[i] = byRank(lt2 + tie2++);
    else if (t < c1) part[i] = byRank(0);
    else if (t < c2) part[i] = PART_VAL;
    else part[i] = byRank(n);
  }
  return part;
}
