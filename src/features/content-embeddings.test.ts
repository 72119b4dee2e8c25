import assert from "node:assert/strict";
import { test } from "node:test";
import { datasetFromRecords } from "../data/index.js";
import {
  embedDocuments,
  fitContentModel,
  movieDocuments,
  movieTerms,
} from "./content-embeddings.js";
import { fitTfidf, transformTfidf } from "./text/tfidf.js";
import { titleWords, tokenize } from "./text/tokenizer.js";

test("tokenizer: lower-case words, no stop words or one-letter tokens, title year stripped", () => {
  assert.deepEqual(tokenize("The Lord of the Rings: Return-of the KING!"), [
    "lord",
    "rings",
    "return",
    "king",
  ]);
  assert.deepEqual(titleWords("Toy Story 2 (1999)"), ["toy", "story"]);
  assert.deepEqual(titleWords("Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)"), [
    "amélie",
    "fabuleux",
    "destin",
    "amélie",
    "poulain",
  ]);
});

test("tf-idf: idf from training docs only, unknown terms ignored, rows unit length", () => {
  const docs = [
    movieTerms({ title: "Toy Story", genres: ["Animation"] }),
    movieTerms({ title: "Scream", genres: ["Horror"] }),
    movieTerms({ title: "Toy Soldiers", genres: ["War"] }),
  ];
  const model = fitTfidf(docs, [0, 1]);
  assert.ok(
    !model.vocabulary.includes("soldiers"),
    "a term of a non-training doc is not in the vocabulary",
  );
  const x = transformTfidf(model, docs);
  for (let r = 0; r < 3; r++) {
    let n2 = 0;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) n2 += x.data[p] ** 2;
    assert.ok(Math.abs(n2 - 1) < 1e-12);
  }
  // "toy" occurs in 1 of 2 training docs: idf = ln(3/2) + 1.
  assert.ok(Math.abs(model.idf[model.vocabulary.indexOf("toy")] - (Math.log(1.5) + 1)) < 1e-12);
});

test("content embeddings: the two Toy Story movies are closer to each other than to a horror film", () => {
  const ds = datasetFromRecords({
    movies: [
      {
        movieId: 1,
        title: "Toy Story (1995)",
        year: 1995,
        genres: ["Adventure", "Animation", "Children", "Comedy", "Fantasy"],
      },
      {
        movieId: 3114,
        title: "Toy Story 2 (1999)",
        year: 1999,
        genres: ["Adventure", "Animation", "Children", "Comedy", "Fantasy"],
      },
      {
        movieId: 1407,
        title: "Scream (1996)",
        year: 1996,
        genres: ["Comedy", "Horror", "Mystery", "Thriller"],
      },
      { movieId: 1387, title: "Jaws (1975)", year: 1975, genres: ["Action", "Horror"] },
      {
        movieId: 2355,
        title: "Bug's Life, A (1998)",
        year: 1998,
        genres: ["Adventure", "Animation", "Children", "Comedy"],
      },
      { movieId: 1258, title: "Shining, The (1980)", year: 1980, genres: ["Horror"] },
      {
        movieId: 260,
        title: "Star Wars: Episode IV - A New Hope (1977)",
        year: 1977,
        genres: ["Action", "Adventure", "Sci-Fi"],
      },
    ],
    ratings: [1, 3114, 1407, 1387, 2355, 1258, 260].map((movieId, u) => ({
      userId: u + 1,
      movieId,
      rating: 4,
      timestamp: 1e9,
    })),
    tags: [
      { userId: 1, movieId: 1, tag: "pixar", timestamp: 1e9 },
      { userId: 1, movieId: 3114, tag: "pixar", timestamp: 1e9 },
      { userId: 2, movieId: 2355, tag: "pixar", timestamp: 1e9 },
      { userId: 2, movieId: 1407, tag: "slasher", timestamp: 1e9 },
      { userId: 3, movieId: 1258, tag: "scary", timestamp: 1e9 },
      { userId: 3, movieId: 1387, tag: "scary shark", timestamp: 1e9 },
    ],
  });
  const docs = movieDocuments(ds);
  const all = Array.from({ length: ds.movies.size }, (_, m) => m);
  const dim = 4;
  const model = fitContentModel(docs, { trainMovies: all, dim, minDf: 1, seed: 1 });
  const e = embedDocuments(model, docs);
  const cos = (a: number, b: number) => {
    let d = 0;
    for (let j = 0; j < dim; j++) d += e[a * dim + j] * e[b * dim + j];
    return d;
  };
  const ts1 = ds.movies.index(1);
  const ts2 = ds.movies.index(3114);
  const scream = ds.movies.index(1407);
  const shining = ds.movies.index(1258);
  assert.ok(cos(ts1, ts2) > cos(ts1, scream) + 0.2, `${cos(ts1, ts2)} vs ${cos(ts1, scream)}`);
  assert.ok(cos(ts1, ts2) > cos(ts1, shining));
  assert.ok(cos(ts1, ts2) > 0.9);
  // Tags filtered out by the caller do not reach the documents.
  const noTags = movieDocuments(ds, new Uint8Array(ds.tags.tag.length));
  assert.ok(!noTags[ts1].has("pixar") && docs[ts1].has("pixar"));
});
