/**
 * MovieSearch: title search with autocomplete, built as an ARIA combobox — type to search
 * (debounced, through GET /api/movies?query=), arrows move through the suggestions, Enter picks,
 * Escape closes. Works with a mouse, a keyboard and a screen reader.
 */
import { useEffect, useId, useRef, useState } from "react";
import type { MovieSummary } from "../../../src/serve/api-types.js";
import { api } from "../lib/api.js";
import { displayTitle } from "../lib/format.js";

export function MovieSearch({
  onPick,
  label = "Movie title",
}: {
  onPick: (m: MovieSummary) => void;
  label?: string;
}) {
  const [text, setText] = useState("");
  const [items, setItems] = useState<MovieSummary[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const call = useRef(0);
  const id = useId();
  const listId = `${id}-list`;

  useEffect(() => {
    const q = text.trim();
    if (q.length < 2) {
      setItems([]);
      setOpen(false);
      setError(null);
      return;
    }
    const n = ++call.current;
    const timer = window.setTimeout(() => {
      setSearching(true);
      api.searchMovies(q, 8).then(
        (r) => {
          if (n !== call.current) return;
          setItems(r.items);
          setOpen(true);
          setActive(r.items.length ? 0 : -1);
          setError(null);
          setSearching(false);
        },
        (e: Error) => {
          if (n !== call.current) return;
          setItems([]);
          setError(e.message);
          setSearching(false);
        },
      );
    }, 180);
    return () => window.clearTimeout(timer);
  }, [text]);

  const pick = (m: MovieSummary) => {
    setOpen(false);
    setText(displayTitle(m.title));
    call.current++;
    onPick(m);
  };

  return (
    <div className="search">
      <label htmlFor={`${id}-input`}>{label}</label>
      <div className="search-box">
        <input
          id={`${id}-input`}
          type="search"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open && active >= 0 ? `${id}-opt-${active}` : undefined}
          placeholder="Start typing, e.g. toy story"
          autoComplete="off"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onFocus={() => items.length && setOpen(true)}
          onBlur={() => window.setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setOpen(true);
              setActive((a) => Math.min(items.length - 1, a + 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => Math.max(0, a - 1));
            } else if (e.key === "Enter") {
              e.preventDefault();
              const m = items[active];
              if (open && m) pick(m);
            } else if (e.key === "Escape") {
              setOpen(false);
            }
          }}
        />
        {searching && <span className="spinner small-spinner" aria-hidden="true" />}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div
        id={listId}
        role="listbox"
        className={`suggestions${open ? " open" : ""}`}
        aria-label="Matching movies"
      >
        {open && items.length === 0 && !searching && (
          <div className="no-match">No movie matches “{text.trim()}”.</div>
        )}
        {open &&
          items.map((m, i) => (
            <div
              key={m.movieId}
              id={`${id}-opt-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? "active" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(m);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className="strong">{displayTitle(m.title)}</span>
              {m.year !== null && <span className="year"> {m.year}</span>}
              <span className="muted small"> · {m.genres.slice(0, 3).join(", ")}</span>
            </div>
          ))}
      </div>
    </div>
  );
}
