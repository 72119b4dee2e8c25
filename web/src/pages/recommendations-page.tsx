/**
 * Recommendations page: pick a user (validated id, or "new user"), see their top-N movies with
 * P(like) and the reasons, narrow by genre and year, and rate movies with half stars — each
 * rating goes to the live-update API and the list is fetched again, so it visibly reacts.
 * New users first rate a few popular movies (onboarding), then get personal recommendations.
 */
import { type FormEvent, useEffect, useMemo, useState } from "react";
import type { MovieSummary, RecommendationItem } from "../../../src/serve/api-types.js";
import { MovieCard } from "../components/movie-card.js";
import { StarRating } from "../components/star-rating.js";
import { ErrorMessage, Loading } from "../components/status.js";
import { ApiRequestError, api } from "../lib/api.js";
import { displayTitle, formatPct } from "../lib/format.js";
import type { Navigate, Route } from "../lib/router.js";
import { useAsync } from "../lib/use-async.js";

const ONBOARDING_GOAL = 3;
/** How many of a user's latest ratings to ask for (the API answers newest first). */
const RECENT_LIMIT = 100;

/** A user id is a whole number >= 1; returns an error message or null. */
export function userIdProblem(text: string): string | null {
  const t = text.trim();
  if (t === "") return "Enter a user id, or start as a new user.";
  if (!/^\d+$/.test(t)) return `"${t}" is not a user id: use a whole number such as 1 or 42.`;
  const n = Number(t);
  if (n < 1 || n > 2147483647) return "A user id is a whole number from 1 to 2147483647.";
  return null;
}

async function pickNewUserId(): Promise<number> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const id = 100_000 + Math.floor(Math.random() * 900_000);
    try {
      const r = await api.userRatings(id);
      if (r.items.length === 0) return id;
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 404) return id;
      throw e;
    }
  }
  throw new Error("Could not find a free user id; please try again.");
}

interface Filters {
  genres: string[];
  minYear: number | null;
  maxYear: number | null;
  k: number;
}

function readFilters(params: URLSearchParams): Filters {
  const year = (v: string | null) => (v && /^\d{4}$/.test(v) ? Number(v) : null);
  const k = Number(params.get("k"));
  return {
    genres: (params.get("genres") ?? "").split(",").filter(Boolean),
    minYear: year(params.get("minYear")),
    maxYear: year(params.get("maxYear")),
    k: [10, 20, 50].includes(k) ? k : 10,
  };
}

function PLikeBar({ p }: { p: number }) {
  return (
    <div className="plike" title={`Predicted probability of liking: ${formatPct(p)}`}>
      <div className="plike-head">
        <span className="muted small">P(like)</span>
        <strong>{formatPct(p, 0)}</strong>
      </div>
      <div className="bar" aria-hidden="true">
        <span style={{ width: `${Math.round(p * 100)}%` }} />
      </div>
    </div>
  );
}

function RecCard({
  item,
  onRate,
  busy,
}: {
  item: RecommendationItem;
  onRate: (m: MovieSummary, r: number) => void;
  busy: boolean;
}) {
  return (
    <MovieCard movie={item} badge={`#${item.rank}`} testId="rec-card">
      <PLikeBar p={item.pLike} />
      {item.reasons.length > 0 && (
        <ul className="reasons" aria-label="Why this is recommended">
          {item.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      <div className="rate-row">
        <span className="muted small">Seen it?</span>
        <StarRating
          label={`Rate ${displayTitle(item.title)}`}
          value={null}
          disabled={busy}
          onCommit={(r) => onRate(item, r)}
        />
      </div>
    </MovieCard>
  );
}

function FiltersBar({
  filters,
  genres,
  onChange,
}: {
  filters: Filters;
  genres: string[];
  onChange: (f: Filters) => void;
}) {
  const [minYear, setMinYear] = useState(filters.minYear?.toString() ?? "");
  const [maxYear, setMaxYear] = useState(filters.maxYear?.toString() ?? "");
  useEffect(() => {
    setMinYear(filters.minYear?.toString() ?? "");
    setMaxYear(filters.maxYear?.toString() ?? "");
  }, [filters.minYear, filters.maxYear]);
  const bad = (v: string) => v !== "" && !/^\d{4}$/.test(v);
  const yearError = bad(minYear) || bad(maxYear) ? "Years are four digits, e.g. 1995." : null;

  const toggle = (g: string) =>
    onChange({
      ...filters,
      genres: filters.genres.includes(g)
        ? filters.genres.filter((x) => x !== g)
        : [...filters.genres, g],
    });

  return (
    <div className="filters">
      <fieldset className="genre-filter">
        <legend>Genres</legend>
        <div className="chip-toggles">
          {genres.map((g) => (
            <button
              key={g}
              type="button"
              className={`chip-toggle${filters.genres.includes(g) ? " on" : ""}`}
              aria-pressed={filters.genres.includes(g)}
              onClick={() => toggle(g)}
            >
              {g}
            </button>
          ))}
        </div>
      </fieldset>
      <form
        className="year-filter"
        onSubmit={(e) => {
          e.preventDefault();
          if (yearError) return;
          onChange({
            ...filters,
            minYear: minYear ? Number(minYear) : null,
            maxYear: maxYear ? Number(maxYear) : null,
          });
        }}
      >
        <label>
          From year
          <input
            inputMode="numeric"
            value={minYear}
            onChange={(e) => setMinYear(e.target.value)}
            placeholder="1900"
            aria-invalid={bad(minYear)}
          />
        </label>
        <label>
          To year
          <input
            inputMode="numeric"
            value={maxYear}
            onChange={(e) => setMaxYear(e.target.value)}
            placeholder="2018"
            aria-invalid={bad(maxYear)}
          />
        </label>
        <label>
          Show
          <select
            value={filters.k}
            onChange={(e) => onChange({ ...filters, k: Number(e.target.value) })}
          >
            <option value={10}>10</option>
            <option value={20}>20</option>
            <option value={50}>50</option>
          </select>
        </label>
        <button type="submit" className="btn secondary">
          Apply years
        </button>
        {(filters.genres.length > 0 || filters.minYear !== null || filters.maxYear !== null) && (
          <button
            type="button"
            className="btn link"
            onClick={() => onChange({ ...filters, genres: [], minYear: null, maxYear: null })}
          >
            Clear filters
          </button>
        )}
        {yearError && (
          <p className="field-error" role="alert">
            {yearError}
          </p>
        )}
      </form>
    </div>
  );
}

function Onboarding({ userId, onDone }: { userId: number; onDone: () => void }) {
  const popular = useAsync(() => api.recommendations(userId, { k: 12 }), [userId]);
  // Freeze the first list: rating a movie must not reshuffle the grid the person is working through.
  const [movies, setMovies] = useState<RecommendationItem[] | null>(null);
  const [rated, setRated] = useState<Map<number, number>>(new Map());
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (popular.data && movies === null) setMovies(popular.data.items);
  }, [popular.data, movies]);

  const rate = async (m: MovieSummary, r: number) => {
    setBusy(true);
    setError(null);
    try {
      await api.rate(userId, [{ movieId: m.movieId, rating: r }]);
      setRated((prev) => new Map(prev).set(m.movieId, r));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const n = rated.size;
  return (
    <section className="panel onboarding" data-testid="onboarding">
      <div className="panel-head">
        <div>
          <h2>Welcome! Rate a few movies you have seen</h2>
          <p className="panel-sub">
            You are user <strong>#{userId}</strong>. Rate at least {ONBOARDING_GOAL} of these
            popular movies (half stars allowed) and cinerank will learn your taste right away — no
            retraining needed.
          </p>
        </div>
        <div className="onboarding-progress">
          <div
            className="bar"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={ONBOARDING_GOAL}
            aria-valuenow={Math.min(n, ONBOARDING_GOAL)}
            aria-label="Movies rated"
          >
            <span style={{ width: `${Math.min(1, n / ONBOARDING_GOAL) * 100}%` }} />
          </div>
          <span className="small muted" aria-live="polite">
            {n} of {ONBOARDING_GOAL} rated
          </span>
          <button
            type="button"
            className="btn primary"
            disabled={n < ONBOARDING_GOAL}
            onClick={onDone}
          >
            Show my recommendations
          </button>
        </div>
      </div>
      {error && <ErrorMessage error={error} title="Could not save that rating" />}
      {popular.error && (
        <ErrorMessage
          error={popular.error}
          onRetry={popular.reload}
          title="Could not load popular movies"
        />
      )}
      {!movies && popular.loading && <Loading label="Finding popular movies…" />}
      {movies && (
        <div className="card-grid compact">
          {movies.map((m) => (
            <MovieCard key={m.movieId} movie={m} testId="onboarding-card">
              <div className="rate-row">
                <StarRating
                  label={`Rate ${displayTitle(m.title)}`}
                  value={rated.get(m.movieId) ?? null}
                  disabled={busy}
                  onCommit={(r) => rate(m, r)}
                />
                {rated.has(m.movieId) && <span className="saved">Saved</span>}
              </div>
            </MovieCard>
          ))}
        </div>
      )}
    </section>
  );
}

function RecentRatings({ userId, version }: { userId: number; version: number }) {
  const recent = useAsync(() => api.userRatings(userId, RECENT_LIMIT), [userId, version]);
  if (!recent.data || recent.data.items.length === 0) return null;
  const items = recent.data.items.slice(0, 8);
  return (
    <section className="recent" aria-label="Recently rated">
      <span className="muted small">Recently rated:</span>
      <ul>
        {items.map((r) => (
          <li key={`${r.movieId}-${r.timestamp}`} className="recent-item">
            {displayTitle(r.title)}{" "}
            <span className="rating-pill like-neutral">★ {r.rating.toFixed(1)}</span>
          </li>
        ))}
      </ul>
      {recent.data.items.length > items.length && (
        <span className="muted small">
          and{" "}
          {recent.data.items.length >= RECENT_LIMIT
            ? `${RECENT_LIMIT - items.length}+`
            : recent.data.items.length - items.length}{" "}
          more
        </span>
      )}
    </section>
  );
}

function UserRecommendations({
  userId,
  filters,
  genres,
  onFilters,
  onOnboard,
}: {
  userId: number;
  filters: Filters;
  genres: string[];
  onFilters: (f: Filters) => void;
  onOnboard: () => void;
}) {
  const [version, setVersion] = useState(0);
  const recs = useAsync(
    () =>
      api.recommendations(userId, {
        k: filters.k,
        genres: filters.genres,
        minYear: filters.minYear,
        maxYear: filters.maxYear,
      }),
    [userId, filters.k, filters.genres.join(","), filters.minYear, filters.maxYear, version],
  );
  const [busy, setBusy] = useState(false);
  const [flash, setFlash] = useState<string | null>(null);
  const [rateError, setRateError] = useState<Error | null>(null);

  const rate = async (m: MovieSummary, r: number) => {
    setBusy(true);
    setRateError(null);
    try {
      const res = await api.rate(userId, [{ movieId: m.movieId, rating: r }]);
      setFlash(
        `Saved ${r}★ for ${displayTitle(m.title)} (${res.ratingCount} ratings now). Recommendations updated.`,
      );
      setVersion((v) => v + 1);
    } catch (e) {
      setRateError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <FiltersBar filters={filters} genres={genres} onChange={onFilters} />
      <RecentRatings userId={userId} version={version} />
      {flash && (
        <div className="flash" role="status">
          {flash}
          <button
            type="button"
            className="btn link"
            onClick={() => setFlash(null)}
            aria-label="Dismiss message"
          >
            ✕
          </button>
        </div>
      )}
      {rateError && <ErrorMessage error={rateError} title="Could not save that rating" />}
      {recs.error && (
        <ErrorMessage
          error={recs.error}
          onRetry={recs.reload}
          title={`Could not load recommendations for user ${userId}`}
        />
      )}
      {recs.loading && !recs.data && <Loading label="Scoring movies…" />}
      {recs.data && (
        <section aria-busy={recs.loading} className={recs.loading ? "refreshing" : ""}>
          <div className="results-head">
            <h2>
              Top {recs.data.items.length} for user #{recs.data.userId}
            </h2>
            {recs.loading && <Loading label="Updating…" />}
          </div>
          {recs.data.coldStart && (recs.data.strategy ?? "popularity") === "popularity" && (
            <div className="notice" data-testid="cold-start">
              User #{userId} has no ratings yet, so these are popular, well-rated movies.{" "}
              <button type="button" className="btn link" onClick={onOnboard}>
                Rate a few movies to personalise them
              </button>
            </div>
          )}
          {recs.data.coldStart && recs.data.strategy === "profile" && (
            <div className="notice info" data-testid="profile-notice">
              Based on the few movies user #{userId} has rated so far: movies similar in content and
              liked by the same people. Every rating sharpens the list.
            </div>
          )}
          {recs.data.items.length === 0 ? (
            <div className="empty">
              No movies match these filters. Try fewer genres or a wider year range.
            </div>
          ) : (
            <div className="card-grid" data-testid="rec-list">
              {recs.data.items.map((it) => (
                <RecCard key={it.movieId} item={it} onRate={rate} busy={busy} />
              ))}
            </div>
          )}
        </section>
      )}
    </>
  );
}

export function RecommendationsPage({ route, navigate }: { route: Route; navigate: Navigate }) {
  const userParam = route.params.get("user") ?? "";
  const onboarding = route.params.get("new") === "1";
  const filters = useMemo(() => readFilters(route.params), [route.params]);
  const [text, setText] = useState(userParam);
  const [touched, setTouched] = useState(false);
  const [newUserError, setNewUserError] = useState<Error | null>(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => setText(userParam), [userParam]);

  const stats = useAsync(() => api.stats(), []);
  const genres = useMemo(
    () =>
      stats.data
        ? stats.data.genres.map((g) => g.genre).filter((g) => g !== "(no genres listed)")
        : [],
    [stats.data],
  );

  const urlProblem = userParam ? userIdProblem(userParam) : null;
  const inputProblem = touched ? userIdProblem(text) : null;
  const problem = inputProblem ?? urlProblem;
  const userId = userParam && !urlProblem ? Number(userParam) : null;

  const params = (f: Filters, extra: Record<string, string | number | null> = {}) => ({
    user: userParam,
    genres: f.genres.join(","),
    minYear: f.minYear,
    maxYear: f.maxYear,
    k: f.k === 10 ? null : f.k,
    ...extra,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (userIdProblem(text)) return;
    setTouched(false);
    navigate("recommendations", { ...params(filters), user: text.trim() });
  };

  const startNewUser = async () => {
    setCreating(true);
    setNewUserError(null);
    try {
      const id = await pickNewUserId();
      navigate("recommendations", { user: id, new: 1 });
    } catch (e) {
      setNewUserError(e as Error);
    } finally {
      setCreating(false);
    }
  };

  return (
    <div className="page" data-testid="page-recommendations">
      <header className="page-head">
        <h1>Recommendations</h1>
        <p className="lead">
          Movies a person is likely to like, with the reasons — and they change as soon as you rate
          something.
        </p>
      </header>
      <section className="panel user-picker">
        <form className="user-form" onSubmit={submit} noValidate>
          <label htmlFor="user-id">User id</label>
          <div className="input-row">
            <input
              id="user-id"
              name="user"
              inputMode="numeric"
              autoComplete="off"
              placeholder="e.g. 1"
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setTouched(false);
              }}
              aria-invalid={problem !== null}
              aria-describedby="user-id-help"
            />
            <button type="submit" className="btn primary">
              Recommend
            </button>
            <span className="or">or</span>
            <button
              type="button"
              className="btn secondary"
              onClick={startNewUser}
              disabled={creating}
            >
              {creating ? "Creating…" : "New user"}
            </button>
          </div>
          {problem ? (
            <p id="user-id-help" className="field-error" role="alert" data-testid="user-id-error">
              {problem}
            </p>
          ) : (
            <p id="user-id-help" className="muted small">
              MovieLens user ids (ml-latest-small has users 1–610). A new user starts by rating a
              few popular movies.
            </p>
          )}
        </form>
        {newUserError && <ErrorMessage error={newUserError} title="Could not start a new user" />}
      </section>

      {userId !== null && onboarding && (
        <Onboarding
          key={userId}
          userId={userId}
          onDone={() => navigate("recommendations", { user: userId })}
        />
      )}
      {userId !== null && !onboarding && (
        <UserRecommendations
          key={userId}
          userId={userId}
          filters={filters}
          genres={genres}
          onFilters={(f) => navigate("recommendations", params(f), { replace: true })}
          onOnboard={() => navigate("recommendations", { user: userId, new: 1 })}
        />
      )}
      {userId === null && !problem && (
        <div className="empty hero-empty">
          <p>
            Enter a user id above to see what cinerank would recommend to them, or press{" "}
            <strong>New user</strong> to try it yourself.
          </p>
        </div>
      )}
    </div>
  );
}
