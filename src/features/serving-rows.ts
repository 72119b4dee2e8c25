/**
 * ServingRows: one user's feature rows against many movies at one time — the serving shape (a
 * recommendation list's few hundred candidates) — written scaled, with the per-request work cut
 * to what depends on the request:
 *
 *   - the movie block of every movie is scaled once, when the state is first served
 *     (`movie`, beside its year and genre bits), and each row copies its movie's scaled block;
 *   - the movie-free columns (user block, rating hour and weekday, demographics) are written
 *     and scaled once per list into the first row and copied to the others in a few doubling
 *     copies;
 *   - per row only the three interaction columns that mix user and movie (user_genre_match,
 *     movie_age_years, content_cosine) are computed, in loops over the candidates.
 *
 * Every cell is the value writeFeatureRow + the scaler give — the float32 raw value, then
 * (raw - mean) * (1 / std) in float64, stored as float32 — in the same summation order, so the
 * rows are bit-identical to featuresForPairs' row-by-row path and to the test matrix.
 */
import { CinerankError } from "../core/index.js";
import { writeUserColumns } from "./feature-row.js";
import { type FeatureSpec, M_GENRE, M_YEAR, U_GENRE, U_MEAN } from "./feature-spec.js";
import type { FeatureState } from "./feature-state.js";
import { type SlotGlobals, slotGlobals } from "./slot-globals.js";
import { userRowInputs, writePairColumns } from "./user-row-inputs.js";
import type { UserProfile } from "./user-profile.js";

const SECONDS_PER_YEAR = 365.2425 * 86400;

export class ServingRows {
  readonly cols: number;
  private readonly mean: Float64Array;
  private readonly inv: Float64Array;
  /**
   * One record per movie (stride movieWidth + 2 + dim), so a row reads one place per movie:
   * [movie block scaled | release year as in the block (raw) | genre columns as bits (bit j =
   * genre column j is 1; int32, through `movieBits`) | content embedding].
   */
  private readonly movie: Float32Array;
  private readonly movieBits: Int32Array;
  private readonly globals: SlotGlobals;
  private readonly template: Float32Array;

  constructor(
    readonly spec: FeatureSpec,
    readonly state: FeatureState,
  ) {
    const L = spec.layout;
    if (L.genres > 32)
      throw new CinerankError("ERR_INVALID_ARGUMENT", `ServingRows: ${L.genres} genres (max 32)`);
    this.cols = L.cols;
    this.mean = Float64Array.from(spec.scaler.mean);
    this.inv = Float64Array.from(spec.scaler.std, (x) => 1 / x);
    const mw = L.movieWidth;
    const n = state.nMovies;
    const mb = state.movieBlock;
    const dim = L.dim;
    const stride = mw + 2 + dim;
    this.movie = new Float32Array(n * stride);
    this.movieBits = new Int32Array(this.movie.buffer);
    for (let m = 0; m < n; m++) {
      const o = m * mw;
      const r = m * stride;
      for (let j = 0; j < mw; j++) {
        const c = L.movieStart + j;
        this.movie[r + j] = (mb[o + j] - this.mean[c]) * this.inv[c];
      }
      this.movie[r + mw] = mb[o + M_YEAR];
      let mask = 0;
      for (let j = 0; j < L.genres; j++) if (mb[o + M_GENRE + j] !== 0) mask |= 1 << j;
      this.movieBits[r + mw + 1] = mask;
      for (let j = 0; j < dim; j++) this.movie[r + mw + 2 + j] = state.movieEmbedding[m * dim + j];
    }
    this.globals = slotGlobals(state.globals, 0, L.genres, state.trendingThreshold);
    this.template = new Float32Array(L.cols);
  }

  /**
   * Scaled rows (profile, movies[j]) at unix time `when` into out[0 .. movies.length * cols)
   * (every cell written).
   */
  write(profile: UserProfile, movies: Int32Array, when: number, out: Float32Array): void {
    const { spec, state, cols, mean, inv, movie: rec, movieBits } = this;
    const L = spec.layout;
    const n = movies.length;
    const nMovies = state.nMovies;
    for (let j = 0; j < n; j++) {
      const m = movies[j];
      if (!Number.isInteger(m) || m < 0 || m >= nMovies) {
        throw new CinerankError(
          "ERR_UNKNOWN_MOVIE",
          `movie index ${m} is not in the catalogue (0..${nMovies - 1})`,
        );
      }
    }
    if (n === 0) return;
    const u = userRowInputs(spec, state, profile, this.globals);
    const ub = u.ub;
    // The movie-free columns, scaled, into every row: row 0 from the template, then doubling.
    const t = this.template;
    t.fill(0);
    writeUserColumns(
      L,
      ub,
      0,
      when,
      spec.defaults.user_age ?? 0,
      u.age,
      u.gender,
      u.occupation,
      t,
      0,
    );
    for (let c = 0; c < L.pairStart; c++) t[c] = (t[c] - mean[c]) * inv[c];
    out.set(t, 0);
    for (let filled = 1; filled < n; ) {
      const k = Math.min(filled, n - filled);
      out.copyWithin(filled * cols, 0, k * cols);
      filled += k;
    }
    // Per row: the scaled movie block and the three user x movie columns.
    const mw = L.movieWidth;
    const ms = L.movieStart;
    const io = L.interactionStart;
    const ug = U_GENRE;
    const userMean = ub[U_MEAN];
    const base = 1970 + when / SECONDS_PER_YEAR;
    const gmMean = mean[io];
    const gmInv = inv[io];
    const ageMean = mean[io + 1];
    const ageInv = inv[io + 1];
    const dim = L.dim;
    const uv = u.uv;
    const stride = mw + 2 + dim;
    const eo = mw + 2;
    const cosMean = dim > 0 ? mean[io + 4] : 0;
    const cosInv = dim > 0 ? inv[io + 4] : 0;
    for (let j = 0; j < n; j++) {
      const m = movies[j];
      const o = j * cols;
      const so = m * stride;
      for (let c = 0; c < mw; c++) out[o + ms + c] = rec[so + c];
      // A movie without genres: the user's overall mean stands in for the genre preference.
      let mask = movieBits[so + mw + 1];
      let pref = 0;
      let k = 0;
      while (mask !== 0) {
        pref += ub[ug + 31 - Math.clz32(mask & -mask)];
        mask &= mask - 1;
        k++;
      }
      out[o + io] = (Math.fround(k > 0 ? pref / k : userMean) - gmMean) * gmInv;
      out[o + io + 1] = (Math.fround(base - rec[so + mw]) - ageMean) * ageInv;
    }
    if (dim > 0) {
      // content_cosine, four rows side by side (independent chains of additions, each in
      // dimension order as writeMovieColumns sums it)
      const cos = (dot: number) => (Math.fround(dot) - cosMean) * cosInv;
      const ci = io + 4;
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const v0 = movies[j] * stride + eo;
        const v1 = movies[j + 1] * stride + eo;
        const v2 = movies[j + 2] * stride + eo;
        const v3 = movies[j + 3] * stride + eo;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let c = 0; c < dim; c++) {
          const x = uv[c];
          d0 += x * rec[v0 + c];
          d1 += x * rec[v1 + c];
          d2 += x * rec[v2 + c];
          d3 += x * rec[v3 + c];
        }
        const o = j * cols + ci;
        out[o] = cos(d0);
        out[o + cols] = cos(d1);
        out[o + 2 * cols] = cos(d2);
        out[o + 3 * cols] = cos(d3);
      }
      for (; j < n; j++) {
        const vo = movies[j] * stride + eo;
        let dot = 0;
        for (let c = 0; c < dim; c++) dot += uv[c] * rec[vo + c];
        out[j * cols + ci] = cos(dot);
      }
    }
    // The pair sources' columns, raw, then scaled.
    writePairColumns(spec, state, profile, movies, out, cols);
    const ps = L.pairStart;
    const pw = cols - ps;
    for (let j = 0; j < n; j++) {
      const o = j * cols + ps;
      for (let c = 0; c < pw; c++) out[o + c] = (out[o + c] - mean[ps + c]) * inv[ps + c];
    }
  }
}

const cache = new WeakMap<FeatureState, ServingRows>();

/** The ServingRows of (spec, state), built once per state (the scaled movie blocks are kept). */
export function servingRows(spec: FeatureSpec, state: FeatureState): ServingRows {
  let rows = cache.get(state);
  if (!rows || rows.spec !== spec) {
    rows = new ServingRows(spec, state);
    cache.set(state, rows);
  }
  return rows;
}
