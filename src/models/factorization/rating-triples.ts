/**
 * RatingTriples: the (user, movie, rating) columns the collaborative models train on, with the
 * index ranges they live in. Usually the training part of a Dataset's ratings (select rows with
 * `ratingTriples(dataset.ratings, rows)`); dense indices keep every model on typed arrays.
 */
import { CinerankError } from "../../core/index.js";

export interface RatingTriples {
  user: Int32Array;
  movie: Int32Array;
  rating: Float32Array;
  /** Users are 0..nUsers-1 (unrated users simply have no triples). */
  nUsers: number;
  /** Movies are 0..nMovies-1. */
  nMovies: number;
}

/**
 * Triples from rating columns, optionally only the rows listed in `rows` (e.g. a split's
 * training part). nUsers / nMovies default to 1 + the largest index seen.
 */
export function ratingTriples(
  cols: { user: Int32Array; movie: Int32Array; rating: Float32Array },
  rows?: ArrayLike<number>,
  sizes?: { nUsers?: number; nMovies?: number },
): RatingTriples {
  let user: Int32Array;
  let movie: Int32Array;
  let rating: Float32Array;
  if (rows) {
    const n = rows.length;
    user = new Int32Array(n);
    movie = new Int32Array(n);
    rating = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      user[i] = cols.user[r];
      movie[i] = cols.movie[r];
      rating[i] = cols.rating[r];
    }
  } else {
    user = cols.user;
    movie = cols.movie;
    rating = cols.rating;
  }
  let mu = -1;
  let mm = -1;
  for (let i = 0; i < user.length; i++) {
    if (user[i] > mu) mu = user[i];
    if (movie[i] > mm) mm = movie[i];
    if (user[i] < 0 || movie[i] < 0 || Number.isNaN(rating[i])) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `rating triple ${i}: expected user, movie >= 0 and a rating, got (${user[i]}, ${movie[i]}, ${rating[i]})`,
      );
    }
  }
  const nUsers = sizes?.nUsers ?? mu + 1;
  const nMovies = sizes?.nMovies ?? mm + 1;
  if (mu >= nUsers || mm >= nMovies) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `rating triples index user ${mu} / movie ${mm} beyond nUsers ${nUsers} / nMovies ${nMovies}`,
    );
  }
  return { user, movie, rating, nUsers, nMovies };
}
