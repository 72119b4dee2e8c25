/**
 * Similar Content page: find a movie by title (autocomplete), then see the movies most like it
 * by content (genres, tags, text), by collaborative signal (who rated it), or blended.
 * The URL carries the movie and the method (`?page=similar&movie=1&method=blended`).
 */
import type { MovieSummary } from "../../../src/serve/api-types.js";
import { GenreChips, MovieCard, MovieLinks } from "../components/movie-card.js";
import { MovieSearch } from "../components/movie-search.js";
import { Poster } from "../components/poster.js";
import { Segmented } from "../components/segmented.js";
import { ErrorMessage, Loading } from "../components/status.js";
import { api, type SimilarMethod } from "../lib/api.js";
import { displayTitle, formatInt, formatNum } from "../lib/format.js";
import type { Navigate, Route } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";

const METHODS: { value: SimilarMethod; label: string }[] = [
  { value: "blended", label: "Blended" },
  { value: "content", label: "Content" },
  { value: "collaborative", label: "Collaborative" },
];

const METHOD_HELP: Record<SimilarMethod, string> = {
  blended: "a mix of what the movies are about and who watches them",
  content: "genres, tags and descriptions in common",
  collaborative: "liked by the same people",
};

function SelectedMovie({ movie }: { movie: MovieSummary }) {
  return (
    <div className="selected-movie" data-testid="selected-movie">
      <Poster title={movie.title} genres={movie.genres} posterUrl={movie.posterUrl} />
      <div>
        <h2>
          {displayTitle(movie.title)}
          {movie.year !== null && <span className="year"> {movie.year}</span>}
        </h2>
        <GenreChips genres={movie.genres} max={8} />
        <p className="muted">
          {movie.meanRating !== null && <>★ {movie.meanRating.toFixed(2)} average · </>}
          {formatInt(movie.ratingCount)} ratings <MovieLinks movie={movie} />
        </p>
        {movie.overview && <p className="overview full">{movie.overview}</p>}
      </div>
    </div>
  );
}

export function SimilarPage({ route, navigate }: { route: Route; navigate: Navigate }) {
  const movieParam = route.params.get("movie");
  const movieId = movieParam && /^\d+$/.test(movieParam) ? Number(movieParam) : null;
  const m = route.params.get("method");
  const method: SimilarMethod = m === "content" || m === "collaborative" ? m : "blended";
  const similar = useAsync(movieId === null ? null : () => api.similar(movieId, method, 12), [
    movieId,
    method,
  ]);

  return (
    <div className="page" data-testid="page-similar">
      <header className="page-head">
        <h1>Similar content</h1>
        <p className="lead">Pick a movie you love and find others like it.</p>
      </header>
      <section className="panel search-panel">
        <MovieSearch
          onPick={(mv) =>
            navigate("similar", { movie: mv.movieId, method: method === "blended" ? null : method })
          }
        />
        <div className="method-picker">
          <span className="small muted" id="method-label">
            Similarity
          </span>
          <Segmented
            label="Similarity method"
            name="method"
            value={method}
            options={METHODS}
            onChange={(v) =>
              navigate(
                "similar",
                { movie: movieId, method: v === "blended" ? null : v },
                { replace: true },
              )
            }
          />
        </div>
      </section>
      {movieParam && movieId === null && (
        <ErrorMessage
          error={new Error(`"${movieParam}" is not a movie id. Search for a title instead.`)}
          title="Unknown movie"
        />
      )}
      {movieId === null && !movieParam && (
        <div className="empty hero-empty">
          <p>Search for a title above — try “toy story”, “alien” or “amélie”.</p>
        </div>
      )}
      {similar.error && (
        <ErrorMessage
          error={similar.error}
          onRetry={similar.reload}
          title="Could not load similar movies"
        />
      )}
      {similar.loading && !similar.data && <Loading label="Finding similar movies…" />}
      {similar.data && movieId !== null && (
        <section aria-busy={similar.loading} className={similar.loading ? "refreshing" : ""}>
          <div className="panel">
            <SelectedMovie movie={similar.data.movie} />
          </div>
          <div className="results-head">
            <h2>
              Movies like {displayTitle(similar.data.movie.title)}{" "}
              <span className="muted">— {METHOD_HELP[similar.data.method]}</span>
            </h2>
          </div>
          {similar.data.items.length === 0 ? (
            <div className="empty">No similar movies found with this method.</div>
          ) : (
            <div className="card-grid" data-testid="similar-list">
              {similar.data.items.map((it) => (
                <MovieCard key={it.movieId} movie={it} testId="similar-card">
                  <div className="score-row">
                    <div className="bar" aria-hidden="true">
                      <span style={{ width: `${Math.max(0, Math.min(1, it.score)) * 100}%` }} />
                    </div>
                    <span className="small">
                      similarity <strong>{formatNum(it.score, 2)}</strong>
                    </span>
                  </div>
                  <p className="muted small">
                    {it.contentScore !== null && <>content {formatNum(it.contentScore, 2)}</>}
                    {it.contentScore !== null && it.collaborativeScore !== null && " · "}
                    {it.collaborativeScore !== null && (
                      <>collaborative {formatNum(it.collaborativeScore, 2)}</>
                    )}
                  </p>
                  <button
                    type="button"
                    className="btn link"
                    onClick={() =>
                      navigate("similar", {
                        movie: it.movieId,
                        method: method === "blended" ? null : method,
                      })
                    }
                  >
                    More like this →
                  </button>
                </MovieCard>
              ))}
            </div>
          )}
        </section>
      )}
    </div>
  );
}
