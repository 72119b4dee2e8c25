/**
 * TopKSelector: the k largest of a Float32Array of scores, best first, equal scores in index
 * order, NaN never, movies flagged in a skip mask and scores below `min` left out — the same
 * answer as topK() (similarity-index.ts), for the two candidate generators that run over the
 * whole catalogue on every recommendation.
 *
 * Why not topK's heap: a heap costs a sift per movie that beats its worst entry, so scores that
 * rise with the movie index (a catalogue in release order, popularity-shaped factors) make every
 * movie a sift, and `accept` is a closure call. Here each kept movie becomes one float64 key
 * that orders it exactly (score first, then lower index first), so the k best are a selection
 * over plain numbers whatever the input order:
 *
 *   key = orderable(float32 bits of score) * 2^20 + (2^20 - 1 - movie)   (< 2^52: exact)
 *
 * A sample of 512 scores gives a threshold that about 2k movies reach; one pass writes the keys
 * of the kept movies at or above it (one comparison rejects the rest, as the heap's root did);
 * a quickselect (median-of-three; a native sort of what is left if it degrades) moves the k
 * largest keys to the end and a native sort orders them. Exact whatever the sample says: when
 * fewer than k reach the threshold, everything is admitted. The scratch buffers are the
 * selector's: one selector per thread, reused by every call.
 */

/** Movies the key packs (2^20; the catalogue must not be larger). */
const INDEX_SPAN = 1048576;
/** Scores sampled to estimate the admission threshold. */
const SAMPLE = 512;

export class TopKSelector {
  private keys: Float64Array;
  private readonly sample = new Float64Array(SAMPLE);

  constructor(capacity = 0) {
    this.keys = new Float64Array(capacity);
  }

  /** Largest catalogue a key can index. */
  static readonly maxMovies = INDEX_SPAN;

  /**
   * Writes the indices of the (up to) k best scores into `out` (length >= k), best first, and
   * returns how many. skip[m] !== 0 leaves movie m out (skip may be longer than scores).
   */
  select(
    scores: Float32Array,
    k: number,
    skip: Uint8Array,
    out: Int32Array,
    min = Number.NEGATIVE_INFINITY,
  ): number {
    const n = scores.length;
    if (n > INDEX_SPAN) throw new RangeError(`TopKSelector: ${n} movies exceed ${INDEX_SPAN}`);
    if (k <= 0 || n === 0) return 0;
    if (this.keys.length < n) this.keys = new Float64Array(n);
    const t = 8 * k < n ? this.threshold(scores, k, skip, min) : min;
    let c = this.gather(scores, skip, t);
    // The estimate admitted fewer than k: admit everything above min.
    if (c < k && t > min) c = this.gather(scores, skip, min);
    return this.best(c, k, out);
  }

  /**
   * select() among the movies ids[0..count) only (distinct; the others are not offered): for
   * sparse scores, e.g. the movies that item-kNN reached at all, without a catalogue pass.
   */
  selectAmong(
    scores: Float32Array,
    ids: Int32Array,
    count: number,
    k: number,
    skip: Uint8Array,
    out: Int32Array,
    min = Number.NEGATIVE_INFINITY,
  ): number {
    if (scores.length > INDEX_SPAN) {
      throw new RangeError(`TopKSelector: ${scores.length} movies exceed ${INDEX_SPAN}`);
    }
    if (k <= 0 || count === 0) return 0;
    if (this.keys.length < count) this.keys = new Float64Array(count);
    const keys = this.keys;
    let c = 0;
    for (let i = 0; i < count; i++) {
      const m = ids[i];
      if (scores[m] >= min) keys[c++] = m;
    }
    return this.best(this.toKeys(scores, skip, c), k, out);
  }

  /** The k largest of keys[0..c), decoded into out, best first; how many. */
  private best(c: number, k: number, out: Int32Array): number {
    const keys = this.keys;
    const take = Math.min(k, c);
    if (take < c) selectLargest(keys, c, take);
    const best = keys.subarray(c - take, c);
    best.sort();
    for (let i = 0; i < take; i++) out[i] = INDEX_SPAN - 1 - (best[take - 1 - i] % INDEX_SPAN);
    return take;
  }

  /**
   * A score that probably about 2k kept movies reach: from an evenly spaced sample of the kept
   * scores, the one that ~2k/n of the sample reaches. Only speed depends on it: every movie
   * at or above it is admitted, and select() admits all when fewer than k reach it.
   */
  private threshold(scores: Float32Array, k: number, skip: Uint8Array, min: number): number {
    const n = scores.length;
    const sample = this.sample;
    const stride = n / SAMPLE;
    let c = 0;
    for (let i = 0; i < SAMPLE; i++) {
      const m = Math.floor(i * stride);
      const s = scores[m];
      if (skip[m] === 0 && s >= min) sample[c++] = s;
    }
    const rank = Math.ceil((2 * k * SAMPLE) / n) + 4;
    if (rank >= c) return min;
    selectLargest(sample, c, rank);
    let t = sample[c - rank];
    for (let i = c - rank + 1; i < c; i++) if (sample[i] < t) t = sample[i];
    return t;
  }

  /** Keys of the kept movies scoring at least t into this.keys; how many. */
  private gather(scores: Float32Array, skip: Uint8Array, t: number): number {
    const n = scores.length;
    const keys = this.keys;
    // first the movies at or above t (NaN is not), as a tight loop: most movies stop here
    let c = 0;
    for (let m = 0; m < n; m++) if (scores[m] >= t) keys[c++] = m;
    return this.toKeys(scores, skip, c);
  }

  /** keys[0..c) hold movies: replaces them by the keys of those not skipped; how many. */
  private toKeys(scores: Float32Array, skip: Uint8Array, c: number): number {
    const keys = this.keys;
    const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
    let kept = 0;
    for (let i = 0; i < c; i++) {
      const m = keys[i];
      if (skip[m] !== 0) continue;
      let u = bits[m];
      if (u === 0x80000000) u = 0; // -0 ties with +0, as comparisons see them
      // float order as unsigned order: negative scores reversed below the positive ones
      const o = u >= 0x80000000 ? 0xffffffff - u : u + 0x80000000;
      keys[kept++] = o * INDEX_SPAN + (INDEX_SPAN - 1 - m);
    }
    return kept;
  }
}

/**
 * Rearranges a[0..n) so that `k` largest values are in a[n-k..n) (in any order; values may
 * repeat). Quickselect with a median-of-three pivot; after 2 log2(n) + 8 rounds without
 * converging (an adversarial order), the remaining range is sorted instead.
 */
export function selectLargest(a: Float64Array, n: number, k: number): void {
  const target = n - k; // every position >= target must hold a value >= a[target]
  let lo = 0;
  let hi = n - 1;
  let rounds = 2 * Math.ceil(Math.log2(n + 1)) + 8;
  while (hi > lo) {
    if (rounds-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const mid = (lo + hi) >> 1;
    // median of a[lo], a[mid], a[hi] as the pivot value
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    // Hoare partition: [lo..j] <= pivot <= [j+1..hi]
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while (a[i] < pivot);
      do j--;
      while (a[j] > pivot);
      if (i >= j) break;
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    if (target <= j) hi = j;
    else lo = j + 1;
  }
}
