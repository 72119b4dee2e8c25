/**
 * The cold-start ranking for users the models know nothing about: popularity and quality in one
 * number, the Wilson lower bound (95%) of a movie's like-rate. A movie liked by 90% of 300 raters
 * outranks one liked by 100% of 3 — popular and good, not obscure and lucky. Optional genre
 * filter. Recomputed from the RatingBook's counts, so live ratings move it too.
 */

/** Wilson score interval lower bound for `likes` successes out of `n` (z = 1.96). */
export function wilsonLowerBound(likes: number, n: number, z = 1.96): number {
  if (n <= 0) return 0;
  const p = likes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n);
  return (centre - margin) / (1 + z2 / n);
}

/** Score per movie from like counts and rating counts. */
export function coldStartScores(likes: ArrayLike<number>, counts: ArrayLike<number>): Float64Array {
  const out = new Float64Array(counts.length);
  for (let m = 0; m < counts.length; m++) out[m] = wilsonLowerBound(likes[m], counts[m]);
  return out;
}
