import assert from "node:assert/strict";
import { test } from "node:test";
import { datasetFromRecords } from "../data/index.js";
import { RatingBook } from "./rating-book.js";

test("RatingBook: a movie stored twice for a user (a persisted re-rating) counts once, the later wins", () => {
  const movies = [1, 2, 3].map((movieId) => ({ movieId, title: `M${movieId} (2000)`, genres: [] }));
  const ds = datasetFromRecords({
    movies,
    ratings: [
      { userId: 10, movieId: 1, rating: 4, timestamp: 100 },
      { userId: 10, movieId: 2, rating: 3, timestamp: 101 },
      { userId: 20, movieId: 1, rating: 2, timestamp: 102 },
      { userId: 20, movieId: 3, rating: 5, timestamp: 103 },
      { userId: 20, movieId: 1, rating: 4.5, timestamp: 104 },
      { userId: 30, movieId: 3, rating: 1, timestamp: 105 },
    ],
  });
  const book = new RatingBook(ds, 3.5);
  const plain = book.ratings(10);
  assert.deepEqual([...plain.movie], [0, 1]);
  assert.deepEqual([...plain.rating], [4, 3]);
  const twice = book.ratings(20);
  assert.deepEqual([...twice.movie], [2, 0]);
  assert.deepEqual([...twice.rating], [5, 4.5]);
  assert.deepEqual([...twice.timestamp], [103, 104]);
  assert.deepEqual([...book.ratings(30).movie], [2]);
  assert.equal(book.ratings(99).movie.length, 0);
});
