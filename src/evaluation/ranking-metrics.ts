/**
 * Top-k ranking metrics exactly as EVALUATION.md defines them, for k in `ks` (default 10, 20):
 *   Precision@k = hits / k                      Recall@k = hits / |relevant|
 *   NDCG@k      = DCG / IDCG, binary gain, 1/log2(position + 1), IDCG over min(k, |relevant|)
 *   MAP@k       = mean over hits of precision at the hit's position, / min(k, |relevant|)
 *   HitRate@k   = 1 when any hit              coverage@k = distinct recommended / catalogue
 * averaged over users; users with no relevant item are skipped and counted.
 */
export interface RankingCase {
  /** Items in recommended order (at least max(ks) long when that many candidates exist). */
  recommended: ArrayLike<number>;
  /** The user's relevant items (liked test items). */
  relevant: ArrayLike<number>;
}

export interface RankingAtK {
  k: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  hitRate: number;
  coverage: number;
}

export interface RankingMetrics {
  /** Users that entered the averages. */
  users: number;
  /** Users skipped because they had no relevant item. */
  skippedUsers: number;
  catalogueSize: number;
  atK: RankingAtK[];
}

export function rankingMetrics(
  cases: Iterable<RankingCase>,
  catalogueSize: number,
  ks: readonly number[] = [10, 20],
): RankingMetrics {
  const sums = ks.map(() => ({ precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0 }));
  const seen = ks.map(() => new Set<number>());
  let users = 0;
  let skipped = 0;
  const maxK = Math.max(...ks);
  const discount = Float64Array.from({ length: maxK }, (_, i) => 1 / Math.log2(i + 2));
  for (const c of cases) {
    if (c.relevant.length === 0) {
      skipped++;
      continue;
    }
    users++;
    const rel = new Set<number>();
    for (let i = 0; i < c.relevant.length; i++) rel.add(c.relevant[i]);
    ks.forEach((k, ki) => {
      const n = Math.min(k, c.recommended.length);
      let hits = 0;
      let dcg = 0;
      let apSum = 0;
      for (let pos = 0; pos < n; pos++) {
        const item = c.recommended[pos];
        seen[ki].add(item);
        if (rel.has(item)) {
          hits++;
          dcg += discount[pos];
          apSum += hits / (pos + 1);
        }
      }
      const ideal = Math.min(k, rel.size);
      let idcg = 0;
      for (let pos = 0; pos < ideal; pos++) idcg += discount[pos];
      const s = sums[ki];
      s.precision += hits / k;
      s.recall += hits / rel.size;
      s.ndcg += dcg / idcg;
      s.map += apSum / ideal;
      s.hitRate += hits > 0 ? 1 : 0;
    });
  }
  const atK = ks.map((k, ki) => {
    const s = sums[ki];
    const d = users > 0 ? users : Number.NaN;
    return {
      k,
      precision: s.precision / d,
      recall: s.recall / d,
      ndcg: s.ndcg / d,
      map: s.map / d,
      hitRate: s.hitRate / d,
      coverage: catalogueSize > 0 ? seen[ki].size / catalogueSize : Number.NaN,
    };
  });
  return { users, skippedUsers: skipped, catalogueSize, atK };
}

/**
 * The k best items by score, best first; equal scores go to the lower item id so that a ranking
 * is deterministic. `scores[i]` belongs to `items[i]`. A bounded min-heap keeps it O(n log k).
 */
export function topKByScore(
  scores: ArrayLike<number>,
  items: ArrayLike<number>,
  k: number,
): Int32Array {
  const n = Math.min(k, items.length);
  if (n <= 0) return new Int32Array(0);
  const heap = new Int32Array(n); // positions into scores/items; heap[0] is the worst kept
  let size = 0;
  // "a is worse than b": lower score, or equal score and higher item id.
  const worse = (a: number, b: number): boolean =>
    scores[a] < scores[b] || (scores[a] === scores[b] && items[a] > items[b]);
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(heap[l], heap[m])) m = l;
      if (r < size && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      const t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
  };
  for (let p = 0; p < items.length; p++) {
    if (Number.isNaN(scores[p])) continue;
    if (size < n) {
      heap[size] = p;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i], heap[parent])) break;
        const t = heap[i];
        heap[i] = heap[parent];
        heap[parent] = t;
        i = parent;
      }
    } else if (worse(heap[0], p)) {
      heap[0] = p;
      siftDown(0);
    }
  }
  const kept = Array.from(heap.subarray(0, size));
  kept.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return Int32Array.from(kept, (p) => items[p]);
}
