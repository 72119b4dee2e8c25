/**
 * TF-IDF over bags of terms. Vocabulary and IDF are fitted on the training documents only
 * (EVALUATION.md leakage rule 1); any document, seen or not, is then transformed with them.
 * Sublinear tf (1 + ln tf for tf >= 1; a fractional weight w < 1 is used as is), smooth idf
 * ln((1 + N) / (1 + df)) + 1, rows L2-normalised: the weighting scikit-learn users know.
 *
 *   docs[d] = Map term -> weight (counts, or a relevance for genome terms)
 */
import { CinerankError } from "../../core/index.js";
import type { CsrMatrix } from "./csr-matrix.js";

export type TermBag = Map<string, number>;

export interface TfidfModel {
  vocabulary: string[];
  idf: Float64Array;
}

export function addTerm(bag: TermBag, term: string, weight = 1): void {
  bag.set(term, (bag.get(term) ?? 0) + weight);
}

/** Fit on the documents `docs[d]` for d in `train` (all when omitted); terms need minDf docs. */
export function fitTfidf(
  docs: readonly TermBag[],
  train?: ArrayLike<number>,
  minDf = 1,
): TfidfModel {
  if (!(minDf >= 1))
    throw new CinerankError("ERR_INVALID_ARGUMENT", `minDf: expected >= 1, got ${minDf}`);
  const df = new Map<string, number>();
  const n = train ? train.length : docs.length;
  for (let j = 0; j < n; j++) {
    const bag = docs[train ? train[j] : j];
    for (const [t, w] of bag) if (w > 0) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const vocabulary = [...df.keys()].filter((t) => (df.get(t) ?? 0) >= minDf).sort();
  const idf = Float64Array.from(vocabulary, (t) => Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
  return { vocabulary, idf };
}

/** TF-IDF rows (L2-normalised) of `docs` under `model`; unknown terms are ignored. */
export function transformTfidf(model: TfidfModel, docs: readonly TermBag[]): CsrMatrix {
  const index = new Map<string, number>(model.vocabulary.map((t, i) => [t, i]));
  const indptr = new Int32Array(docs.length + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let d = 0; d < docs.length; d++) {
    const start = cols.length;
    let norm = 0;
    const entries: [number, number][] = [];
    for (const [t, w] of docs[d]) {
      const c = index.get(t);
      if (c === undefined || !(w > 0)) continue;
      // Sublinear above one occurrence; fractional weights (genome relevances) stay linear.
      entries.push([c, (w < 1 ? w : 1 + Math.log(w)) * model.idf[c]]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    for (const [, v] of entries) norm += v * v;
    norm = Math.sqrt(norm);
    for (const [c, v] of entries) {
      cols.push(c);
      vals.push(norm > 0 ? v / norm : 0);
    }
    indptr[d + 1] = start + entries.length;
  }
  return {
    rows: docs.length,
    cols: model.vocabulary.length,
    indptr,
    indices: Int32Array.from(cols),
    data: Float64Array.from(vals),
  };
}
