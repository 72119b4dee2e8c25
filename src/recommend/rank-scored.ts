/**
 * rankScored: the order a recommendation list shows scored candidates in — P(like) descending,
 * ties by movie index — shared by scoring on the main thread and on scoring workers, so both
 * give the same list.
 */
export function rankScored(p: Float32Array, movies: Int32Array, k: number): number[] {
  const order = Array.from(movies.keys()).sort((a, b) => p[b] - p[a] || movies[a] - movies[b]);
  return order.slice(0, k);
}
