/**
 * finishUser: user sums row -> the user block of a feature row plus the user's unit content
 * profile. One function for out-of-fold training rows, whole-training rows and a serving profile,
 * so the three can never disagree.
 *
 * Defaults for a user with no ratings in the slot (documented in the README): mean, std,
 * like-rate and top hour of all training ratings, count 0, span 0, genre preferences = the
 * global mean, genre shares = global shares, content profile = 0 (cosine 0), user_unseen = 1.
 */
import {
  U_COUNT,
  U_GENRE,
  U_HOUR,
  U_LIKE,
  U_MEAN,
  U_SPAN,
  U_STD,
  U_UNSEEN,
} from "./feature-spec.js";
import type { SlotGlobals } from "./slot-globals.js";
import {
  S_COUNT,
  S_GENRE_COUNT,
  S_HOURS,
  S_LIKES,
  S_MAX_TS,
  S_MIN_TS,
  S_SUM,
  S_SUMSQ,
} from "./user-sums.js";

export function finishUser(
  genres: number,
  dim: number,
  genrePrior: number,
  g: SlotGlobals,
  s: Float64Array,
  so: number,
  block: Float32Array,
  bo: number,
  vec: Float32Array,
  vo: number,
): void {
  const c = s[so + S_COUNT];
  const seen = c > 0;
  const mean = seen ? s[so + S_SUM] / c : g.mean;
  block[bo + U_UNSEEN] = seen ? 0 : 1;
  block[bo + U_MEAN] = mean;
  block[bo + U_COUNT] = Math.log1p(c);
  block[bo + U_STD] = seen ? Math.sqrt(Math.max(0, s[so + S_SUMSQ] / c - mean * mean)) : g.std;
  block[bo + U_LIKE] = seen ? s[so + S_LIKES] / c : g.likeRate;
  let top = 0;
  for (let h = 1; h < 24; h++) if (s[so + S_HOURS + h] > s[so + S_HOURS + top]) top = h;
  block[bo + U_HOUR] = seen ? top : g.topHour;
  block[bo + U_SPAN] = seen ? (s[so + S_MAX_TS] - s[so + S_MIN_TS]) / 86400 : 0;
  const gc = so + S_GENRE_COUNT;
  for (let j = 0; j < genres; j++) {
    const n = s[gc + j];
    // Mean rating in the genre, shrunk toward the user's own mean by `genrePrior` pseudo-ratings.
    block[bo + U_GENRE + j] = (s[gc + genres + j] + genrePrior * mean) / (n + genrePrior);
    block[bo + U_GENRE + genres + j] = seen ? n / c : g.genreShare[j];
  }
  if (dim > 0) {
    // Content profile = Σ (rating - mean) · e_movie = Σ rating·e - mean · Σ e, then unit length.
    const re = gc + 2 * genres;
    const e = re + dim;
    let n2 = 0;
    for (let j = 0; j < dim; j++) {
      const p = seen ? s[re + j] - mean * s[e + j] : 0;
      vec[vo + j] = p;
      n2 += p * p;
    }
    const inv = n2 > 1e-18 ? 1 / Math.sqrt(n2) : 0;
    for (let j = 0; j < dim; j++) vec[vo + j] *= inv;
  }
}
