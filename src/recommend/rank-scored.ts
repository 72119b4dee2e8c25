/**
 * rankScored: the order a recommendation list shows scored candidates in — P(like) descending,
 * ties by movie index — shared by scoring on the main thread and on scoring workers, so both
 * give the same list. Only the k best are ordered: insertion into a sorted list of k (a list
 * shows 10 of a few hundred candidates; sorting them all cost more than the rest of ranking).
 */
export function rankScored(p: Float32Array, movies: Int32Array, k: number): number[] {
  const n = movies.length;
  const best: number[] = [];
  // before(a, b): candidate a is shown before candidate b; a NaN score after every number
  const before = (a: number, b: number): boolean => {
    const pa = p[a];
    const pb = p[b];
    if (pa > pb) return true;
    if (pa < pb) return false;
    if (pa === pb) return movies[a] < movies[b];
    return !Number.isNaN(pa) || (Number.isNaN(pb) && movies[a] < movies[b]);
  };
  for (let i = 0; i < n; i++) {
    if (best.length === k && !before(i, best[k - 1])) continue;
    let j = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(i);
    while (j > 0 && before(i, best[j - 1])) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
  }
  return best;
}
