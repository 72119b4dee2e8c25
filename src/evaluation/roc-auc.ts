/**
 * ROC AUC by ranks (Mann–Whitney U): the probability that a random liked row scores above a
 * random not-liked row, with tied scores sharing their average rank (so a tie counts one half).
 * NaN when one class is absent, because the area is then undefined.
 */
export type Scores = ArrayLike<number>;
export type Labels = ArrayLike<number>;

/** Row indices ordered by ascending score (stable for equal scores). */
export function ascendingOrder(scores: Scores): Uint32Array {
  const n = scores.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => scores[a] - scores[b] || a - b);
  return idx;
}

export function rocAuc(scores: Scores, labels: Labels): number {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = ascendingOrder(scores);
  let pos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    // [i, j) is one group of tied scores; each gets the average of ranks i+1 .. j.
    let j = i + 1;
    while (j < n && scores[order[j]] === scores[order[i]]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]]) {
        pos++;
        rankSumPos += avgRank;
      }
    }
    i = j;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
