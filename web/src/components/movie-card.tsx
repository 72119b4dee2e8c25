/**
 * MovieCard: a movie as the Recommendations and Similar pages show it — poster (or placeholder),
 * title, year, genres, links, and whatever the page adds below (P(like) and reasons, a
 * similarity score, a star rating) through `children`.
 */
import type { ReactNode } from "react";
import type { MovieSummary } from "../../../src/serve/api-types.js";
import { displayTitle, formatInt } from "../lib/format.js";
import { Poster } from "./poster.js";

export function GenreChips({ genres, max = 4 }: { genres: string[]; max?: number }) {
  const shown = genres.slice(0, max);
  return (
    <ul className="chips" aria-label="Genres">
      {shown.map((g) => (
        <li key={g} className="chip">
          {g}
        </li>
      ))}
      {genres.length > max && <li className="chip more">+{genres.length - max}</li>}
    </ul>
  );
}

export function MovieLinks({ movie }: { movie: MovieSummary }) {
  if (!movie.imdbUrl && !movie.tmdbUrl) return null;
  return (
    <span className="links">
      {movie.imdbUrl && (
        <a href={movie.imdbUrl} target="_blank" rel="noreferrer">
          IMDb
        </a>
      )}
      {movie.tmdbUrl && (
        <a href={movie.tmdbUrl} target="_blank" rel="noreferrer">
          TMDB
        </a>
      )}
    </span>
  );
}

export function MovieCard({
  movie,
  badge,
  children,
  testId,
}: {
  movie: MovieSummary;
  badge?: ReactNode;
  children?: ReactNode;
  testId?: string;
}) {
  const title = displayTitle(movie.title);
  return (
    <article className="movie-card" data-testid={testId} data-movie-id={movie.movieId}>
      <div className="movie-card-poster">
        <Poster title={movie.title} genres={movie.genres} posterUrl={movie.posterUrl} />
        {badge && <span className="badge-corner">{badge}</span>}
      </div>
      <div className="movie-card-body">
        <h3 className="movie-title" title={movie.title}>
          {title}
          {movie.year !== null && <span className="year"> {movie.year}</span>}
        </h3>
        <GenreChips genres={movie.genres} />
        <p className="muted small meta-line">
          {movie.meanRating !== null && <>★ {movie.meanRating.toFixed(1)} · </>}
          {formatInt(movie.ratingCount)} ratings <MovieLinks movie={movie} />
        </p>
        {movie.overview && <p className="overview">{movie.overview}</p>}
        {children}
      </div>
    </article>
  );
}
