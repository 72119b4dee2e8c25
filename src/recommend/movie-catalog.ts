/**
 * MovieCatalog: the movies as users see them — title, year, genres, links, live rating counts
 * and means (from the RatingBook), poster and overview when metadata was fetched — plus the
 * filters every listing shares (genres, year range, minimum rating count) and title search.
 */
import { CinerankError } from "../core/index.js";
import { type Dataset, GENRES, genreIndex, genresOf } from "../data/index.js";
import type { RatingBook } from "./rating-book.js";
import { TitleIndex } from "./title-search.js";
import type { MovieSummary, RecommendOptions } from "./types.js";

export interface MovieExtras {
  posterUrl?: string | null;
  overview?: string | null;
}

/** A compiled filter: `accepts(m)` for a dense movie index. */
export interface MovieFilter {
  accepts(movie: number): boolean;
  /** True when nothing is filtered. */
  all: boolean;
}

export class MovieCatalog {
  private titles: TitleIndex | null = null;

  constructor(
    readonly dataset: Dataset,
    readonly book: RatingBook,
    /** Poster/overview by dense movie index, when metadata is available. */
    private readonly metadata: Map<number, MovieExtras> = new Map(),
  ) {}

  get size(): number {
    return this.dataset.movies.size;
  }

  /** Dense index of a MovieLens movieId, or ERR_UNKNOWN_MOVIE naming `field`. */
  indexOf(movieId: number, field = "movieId"): number {
    const m = this.dataset.movies.index(movieId);
    if (m < 0) {
      throw new CinerankError("ERR_UNKNOWN_MOVIE", `${field} ${movieId} is not in the catalogue`, {
        field,
        movieId,
      });
    }
    return m;
  }

  summary(m: number): MovieSummary {
    const info = this.dataset.movieInfo;
    const year = info.year[m];
    const imdb = info.imdb[m];
    const tmdb = info.tmdb[m];
    const count = this.book.movieCount[m];
    const meta = this.metadata.get(m);
    return {
      movieId: this.dataset.movies.id(m),
      title: info.title[m],
      year: Number.isFinite(year) ? year : null,
      genres: genresOf(info.genres[m]),
      ratingCount: count,
      meanRating: count > 0 ? Math.round(this.book.movieMean(m) * 1000) / 1000 : null,
      imdbUrl: imdb ? `https://www.imdb.com/title/tt${imdb.padStart(7, "0")}/` : null,
      tmdbUrl: Number.isFinite(tmdb) ? `https://www.themoviedb.org/movie/${tmdb}` : null,
      posterUrl: meta?.posterUrl ?? null,
      overview: meta?.overview ?? null,
    };
  }

  /** Bitmask of genre names; unknown names are an ERR_INVALID_ARGUMENT naming `field`. */
  genreMask(names: readonly string[], field = "genres"): number {
    let mask = 0;
    for (const name of names) {
      const g = genreIndex(name);
      if (g < 0) {
        throw new CinerankError(
          "ERR_INVALID_ARGUMENT",
          `${field}: unknown genre "${name}"; expected one of ${GENRES.join(", ")}`,
          { field, value: name, allowed: [...GENRES] },
        );
      }
      mask |= 1 << g;
    }
    return mask >>> 0;
  }

  filter(
    opts: Pick<RecommendOptions, "genres" | "minYear" | "maxYear" | "minRatings">,
  ): MovieFilter {
    const mask = opts.genres && opts.genres.length > 0 ? this.genreMask(opts.genres) : 0;
    const minYear = opts.minYear ?? Number.NEGATIVE_INFINITY;
    const maxYear = opts.maxYear ?? Number.POSITIVE_INFINITY;
    const minRatings = opts.minRatings ?? 0;
    const yearFiltered = opts.minYear !== undefined || opts.maxYear !== undefined;
    const all = mask === 0 && !yearFiltered && minRatings <= 0;
    const genres = this.dataset.movieInfo.genres;
    const years = this.dataset.movieInfo.year;
    const counts = this.book.movieCount;
    return {
      all,
      accepts: (m) => {
        if (mask !== 0 && (genres[m] & mask) === 0) return false;
        if (yearFiltered) {
          const y = years[m];
          if (!Number.isFinite(y) || y < minYear || y > maxYear) return false;
        }
        return counts[m] >= minRatings;
      },
    };
  }

  /** Title search (see title-search.ts), optionally within one genre. */
  search(query: string | undefined, genre: string | undefined, limit: number): number[] {
    const mask = genre ? this.genreMask([genre], "genre") : 0;
    const accept = mask
      ? (m: number) => (this.dataset.movieInfo.genres[m] & mask) !== 0
      : undefined;
    if (query && query.trim() !== "") {
      this.titles ??= new TitleIndex(this.dataset.movieInfo.title, this.book.movieCount);
      return this.titles.search(query, limit, accept).map((h) => h.movie);
    }
    // No text: the most rated movies (of the genre).
    const order: number[] = [];
    for (let m = 0; m < this.size; m++) if (!accept || accept(m)) order.push(m);
    order.sort((a, b) => this.book.movieCount[b] - this.book.movieCount[a] || a - b);
    return order.slice(0, limit);
  }
}
