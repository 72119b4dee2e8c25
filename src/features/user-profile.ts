/**
 * UserProfile: what serving knows about one user — the raw sums every user feature derives from
 * (user-sums.ts), the dense index (or -1 for a new user), and, for a live profile, the ratings
 * it was built from (so CF scorers can fold the user in). A profile is rebuilt from any list of
 * ratings with the same accumulation code as training, without refitting anything.
 */
import { CinerankError } from "../core/index.js";
import type { FeatureSpec } from "./feature-spec.js";
import type { FeatureState } from "./feature-state.js";
import { addUserRating, emptyUserSums, userSumsStride } from "./user-sums.js";

export interface ProfileRatings {
  /** Dense movie indices. */
  movie: Int32Array;
  rating: Float32Array;
  /** Unix seconds. */
  timestamp: Float64Array;
}

export interface ProfileDemographics {
  /** Years; NaN unknown. */
  age: number;
  /** "F", "M" or "" (unknown). */
  gender: string;
  /** An occupation of spec.occupations, or "" (unknown). */
  occupation: string;
}

export interface UserProfile {
  /** Dense user index in the training data, or -1 for a new user. */
  index: number;
  /** Raw sums row (stride userSumsStride(genres, dim)). */
  sums: Float64Array;
  /** Set when the profile was (re)built from ratings rather than taken from training. */
  ratings?: ProfileRatings;
  /** Overrides the stored demographics (new users). */
  demographics?: ProfileDemographics;
}

function stride(spec: FeatureSpec): number {
  return userSumsStride(spec.layout.genres, spec.layout.dim);
}

/** The training profile of user `index` (a copy of the whole-training sums). */
export function userProfile(spec: FeatureSpec, state: FeatureState, index: number): UserProfile {
  if (!Number.isInteger(index) || index < 0 || index >= state.nUsers) {
    throw new CinerankError(
      "ERR_UNKNOWN_USER",
      `user index ${index} is not in the training data (0..${state.nUsers - 1})`,
    );
  }
  const s = stride(spec);
  return { index, sums: state.userSums.slice(index * s, (index + 1) * s) };
}

/**
 * A profile built from a list of ratings (e.g. the user's training ratings plus new ones). The
 * result equals the training profile when given exactly the user's training ratings.
 */
export function userProfileFromRatings(
  spec: FeatureSpec,
  state: FeatureState,
  ratings: ProfileRatings,
  index = -1,
  demographics?: ProfileDemographics,
): UserProfile {
  const L = spec.layout;
  const sums = emptyUserSums(stride(spec));
  const n = ratings.movie.length;
  if (ratings.rating.length !== n || ratings.timestamp.length !== n) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      "profile ratings: movie, rating and timestamp must have the same length",
    );
  }
  for (let j = 0; j < n; j++) {
    const m = ratings.movie[j];
    if (!Number.isInteger(m) || m < 0 || m >= state.nMovies) {
      throw new CinerankError(
        "ERR_UNKNOWN_MOVIE",
        `profile rating ${j}: movie index ${m} is not in the catalogue`,
      );
    }
    const y = ratings.rating[j];
    if (!Number.isFinite(y) || !Number.isFinite(ratings.timestamp[j])) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `profile rating ${j}: rating and timestamp must be numbers`,
      );
    }
    addUserRating(
      sums,
      0,
      L.genres,
      L.dim,
      y,
      ratings.timestamp[j],
      y >= spec.threshold ? 1 : 0,
      state.movieGenreCols[m],
      state.movieEmbedding,
      m * L.dim,
    );
  }
  return { index, sums, ratings, demographics };
}
