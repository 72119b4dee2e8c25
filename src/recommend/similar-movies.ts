/**
 * Similar movies: by content embedding (cosine of TF-IDF + SVD vectors), by collaborative signal
 * (cosine of the implicit factorisation's movie factors; item-kNN similarity for a movie without
 * factors), or a blend w x content + (1 - w) x collaborative. A method the movie lacks falls back
 * to the one it has. Collaboratively similar movies need `minSimilarRatings` ratings: a handful
 * of raters makes a noisy neighbour.
 */
import { CinerankError } from "../core/index.js";
import type { MovieCatalog } from "./movie-catalog.js";
import { type SimilarityIndex, topK } from "./similarity-index.js";
import type { ItemNeighbours, SimilarItem, SimilarMethod, SimilarResult } from "./types.js";

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export class SimilarMovies {
  constructor(
    private readonly catalog: MovieCatalog,
    private readonly contentIndex: SimilarityIndex | null,
    private readonly collabIndex: SimilarityIndex | null,
    private readonly neighbours: ItemNeighbours | undefined,
    private readonly minSimilarRatings: number,
  ) {}

  similar(
    movieId: number,
    opts: { k: number; method?: SimilarMethod; contentWeight: number },
  ): SimilarResult {
    const k = opts.k;
    const m = this.catalog.indexOf(movieId);
    const w = opts.contentWeight;
    if (!(w >= 0 && w <= 1)) {
      throw new CinerankError("ERR_INVALID_ARGUMENT", `contentWeight must be in 0..1, got ${w}`, {
        field: "contentWeight",
      });
    }
    let method = opts.method ?? "blended";
    const content = this.contentIndex?.has(m) ? this.contentIndex.all(m) : null;
    const collab = this.collaborativeSimilarity(m);
    // Fall back to what exists for this movie rather than answering nothing.
    if (method === "blended" && (!content || !collab))
      method = content ? "content" : "collaborative";
    if (method === "content" && !content && collab) method = "collaborative";
    if (method === "collaborative" && !collab && content) method = "content";
    const n = this.catalog.size;
    const score = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      const c = content ? content[j] : 0;
      const f = collab ? collab[j] : 0;
      score[j] = method === "content" ? c : method === "collaborative" ? f : w * c + (1 - w) * f;
    }
    const minCollab = this.minSimilarRatings;
    const top = topK(
      score,
      k,
      (j) =>
        j !== m &&
        score[j] > 0 &&
        (method === "content" || this.catalog.book.movieCount[j] >= minCollab),
    );
    const items: SimilarItem[] = top.map((j) => ({
      ...this.catalog.summary(j),
      score: round4(score[j]),
      contentScore: content ? round4(content[j]) : null,
      collaborativeScore: collab ? round4(collab[j]) : null,
    }));
    return { movie: this.catalog.summary(m), method, items };
  }

  /** Collaborative similarity of movie `m` to all: factor cosine, else kNN list similarity. */
  private collaborativeSimilarity(m: number): Float32Array | null {
    if (this.collabIndex?.has(m)) return this.collabIndex.all(m);
    const nb = this.neighbours;
    if (!nb) return null;
    const list = nb.neighbours(m);
    if (list.movie.length === 0) return null;
    const out = new Float32Array(this.catalog.size);
    for (let j = 0; j < list.movie.length; j++) out[list.movie[j]] = list.sim[j];
    return out;
  }
}
