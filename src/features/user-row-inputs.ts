/**
 * userRowInputs: the movie-free inputs of one user's feature rows — the finished user block and
 * unit content profile (finishUser on the whole-training globals) and the demographics — and
 * writePairColumns, the pair sources' columns of one user's rows. Shared by the two serving
 * writers (featuresForPairs per row, ServingRows for one user at one time), so both see the
 * same user.
 */
import type { FeatureSpec } from "./feature-spec.js";
import { type FeatureState, pairScorer } from "./feature-state.js";
import type { PairUser } from "./pair-feature-source.js";
import { type SlotGlobals, slotGlobals } from "./slot-globals.js";
import { finishUser } from "./user-block.js";
import type { UserProfile } from "./user-profile.js";

export interface UserRowInputs {
  /** The user block (raw, unscaled). */
  ub: Float32Array;
  /** The unit content profile (length layout.dim). */
  uv: Float32Array;
  /** Years (NaN unknown), 0/1/2 = unknown/F/M, index into spec.occupations (-1 unknown). */
  age: number;
  gender: number;
  occupation: number;
}

export function userRowInputs(
  spec: FeatureSpec,
  state: FeatureState,
  profile: UserProfile,
  /** The whole-training globals (slotGlobals of state.globals), when the caller keeps them. */
  g: SlotGlobals = slotGlobals(state.globals, 0, spec.layout.genres, state.trendingThreshold),
): UserRowInputs {
  const L = spec.layout;
  const ub = new Float32Array(L.userWidth);
  const uv = new Float32Array(L.dim);
  finishUser(L.genres, L.dim, spec.options.genrePrior, g, profile.sums, 0, ub, 0, uv, 0);
  let age = Number.NaN;
  let gender = 0;
  let occupation = -1;
  if (profile.demographics) {
    age = profile.demographics.age;
    const gg = profile.demographics.gender.toUpperCase();
    gender = gg === "F" ? 1 : gg === "M" ? 2 : 0;
    occupation = spec.occupations.indexOf(profile.demographics.occupation);
  } else if (state.demographics && profile.index >= 0) {
    age = state.demographics.age[profile.index];
    gender = state.demographics.gender[profile.index];
    occupation = state.demographics.occupation[profile.index];
  }
  return { ub, uv, age, gender, occupation };
}

/** The pair sources' (raw) columns of rows (profile, movies[j]) into values (row-major, `cols`). */
export function writePairColumns(
  spec: FeatureSpec,
  state: FeatureState,
  profile: UserProfile,
  movies: Int32Array,
  values: Float32Array,
  cols: number,
): void {
  let offset = spec.layout.pairStart;
  const pairUser: PairUser = profile.ratings
    ? {
        index: profile.index,
        ratings: { movie: profile.ratings.movie, rating: profile.ratings.rating },
      }
    : { index: profile.index };
  for (const name of spec.pairSources) {
    const scorer = pairScorer(state, name);
    scorer.scoreUser(pairUser, movies, values, cols, offset);
    offset += scorer.names.length;
  }
}
