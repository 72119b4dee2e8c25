/**
 * Content embeddings of movies: TF-IDF over each movie's title words, genres, user tags and
 * (where the release has it) genome tags with relevance >= 0.5, reduced by a seeded randomized
 * truncated SVD to `dim` dimensions. Vocabulary, IDF and the SVD basis are fitted on the movies
 * of the training part only; every movie (also new ones) is then embedded as x·V and scaled to
 * unit length (a movie with no known term gets the zero vector, so every cosine with it is 0).
 *
 *   embedding[m * dim + j] = component j of movie m's unit embedding
 */
import type { Dataset } from "../data/index.js";
import { genresOf } from "../data/index.js";
import { csrTimesDense } from "./text/csr-matrix.js";
import { randomizedSvd } from "./text/randomized-svd.js";
import { addTerm, fitTfidf, type TermBag, type TfidfModel, transformTfidf } from "./text/tfidf.js";
import { titleWords, tokenize } from "./text/tokenizer.js";

/** Genome relevance at or above which a genome tag counts as a term of the movie. */
export const GENOME_MIN_RELEVANCE = 0.5;

export interface ContentModel {
  tfidf: TfidfModel;
  dim: number;
  /** vocabulary.length x dim, row-major: the SVD's right singular vectors. */
  basis: Float64Array;
}

export interface ContentMovieText {
  title: string;
  genres: readonly string[];
  tags?: readonly string[];
  /** Genome tag -> relevance. */
  genome?: ReadonlyMap<string, number>;
}

/** The bag of terms of one movie (the same for training and for a new movie at serving). */
export function movieTerms(text: ContentMovieText): TermBag {
  const bag: TermBag = new Map();
  for (const w of titleWords(text.title)) addTerm(bag, w);
  for (const g of text.genres) addTerm(bag, `genre:${g.toLowerCase()}`);
  for (const t of text.tags ?? []) for (const w of tokenize(t)) addTerm(bag, w);
  for (const [t, r] of text.genome ?? []) {
    if (r >= GENOME_MIN_RELEVANCE) addTerm(bag, `genome:${t.toLowerCase()}`, r);
  }
  return bag;
}

/** Term bags of every movie of the dataset; tag applications with useTag[j] = 0 are skipped. */
export function movieDocuments(dataset: Dataset, useTag?: Uint8Array): TermBag[] {
  const nm = dataset.movies.size;
  const tags: string[][] = Array.from({ length: nm }, () => []);
  const t = dataset.tags;
  for (let j = 0; j < t.tag.length; j++) {
    if (t.movie[j] >= 0 && (!useTag || useTag[j])) tags[t.movie[j]].push(t.tag[j]);
  }
  const genome: Map<string, number>[] = Array.from({ length: nm }, () => new Map());
  const g = dataset.genome;
  if (g) {
    const nt = g.tags.length;
    for (let i = 0; i < g.movies.length; i++) {
      const m = g.movies[i];
      for (let k = 0; k < nt; k++) {
        const r = g.relevance[i * nt + k];
        if (r >= GENOME_MIN_RELEVANCE) genome[m].set(g.tags[k], r);
      }
    }
  }
  const docs: TermBag[] = new Array(nm);
  for (let m = 0; m < nm; m++) {
    docs[m] = movieTerms({
      title: dataset.movieInfo.title[m],
      genres: genresOf(dataset.movieInfo.genres[m]),
      tags: tags[m],
      genome: genome[m],
    });
  }
  return docs;
}

/** Unit embeddings (rows x dim) of term bags under a fitted content model. */
export function embedDocuments(model: ContentModel, docs: readonly TermBag[]): Float32Array {
  const x = transformTfidf(model.tfidf, docs);
  const raw = csrTimesDense(x, model.basis, model.dim);
  const out = new Float32Array(raw.length);
  for (let r = 0; r < docs.length; r++) {
    let n2 = 0;
    for (let j = 0; j < model.dim; j++) n2 += raw[r * model.dim + j] ** 2;
    if (!(n2 > 1e-24)) continue;
    const inv = 1 / Math.sqrt(n2);
    for (let j = 0; j < model.dim; j++) out[r * model.dim + j] = raw[r * model.dim + j] * inv;
  }
  return out;
}

export interface FitContentOptions {
  /** Movies whose documents fit the vocabulary, IDF and SVD (those with training ratings). */
  trainMovies: ArrayLike<number>;
  dim: number;
  minDf: number;
  seed: number;
}

export function fitContentModel(docs: readonly TermBag[], o: FitContentOptions): ContentModel {
  const tfidf = fitTfidf(docs, o.trainMovies, o.minDf);
  const trainDocs = Array.from(o.trainMovies, (m) => docs[m]);
  const x = transformTfidf(tfidf, trainDocs);
  const svd = randomizedSvd(x, o.dim, { seed: o.seed });
  return { tfidf, dim: o.dim, basis: svd.v };
}
