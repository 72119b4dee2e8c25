/**
 * StarRating: five stars with half steps (0.5–5.0, MovieLens' scale) as one ARIA slider.
 * Pointer: hover previews, a click on a star's left/right half commits 0.5 or 1 step.
 * Keyboard: arrows change by half a star, Home/End jump, Enter or Space commits.
 *
 *   [ ☆ ][ ☆ ][ ☆ ][ ☆ ][ ☆ ]   each star = two hit areas: left half = n - 0.5, right = n
 */
import { type CSSProperties, type KeyboardEvent, type MouseEvent, useState } from "react";

export function StarRating({
  label,
  value,
  onCommit,
  disabled = false,
}: {
  label: string;
  value: number | null;
  onCommit: (rating: number) => void;
  disabled?: boolean;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const [pending, setPending] = useState<number | null>(null);
  const shown = hover ?? pending ?? value ?? 0;

  const valueAt = (e: MouseEvent<HTMLDivElement>): number | null => {
    const v = (e.target as HTMLElement).dataset.value;
    return v ? Number(v) : null;
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (disabled) return;
    const cur = pending ?? value ?? 0;
    let next: number | null = null;
    if (e.key === "ArrowRight" || e.key === "ArrowUp") next = Math.min(5, Math.max(0.5, cur + 0.5));
    else if (e.key === "ArrowLeft" || e.key === "ArrowDown") next = Math.max(0.5, cur - 0.5);
    else if (e.key === "Home") next = 0.5;
    else if (e.key === "End") next = 5;
    else if ((e.key === "Enter" || e.key === " ") && pending !== null) {
      e.preventDefault();
      onCommit(pending);
      setPending(null);
      return;
    }
    if (next !== null) {
      e.preventDefault();
      setPending(next);
    }
  };

  const stars = [1, 2, 3, 4, 5];
  return (
    <div
      className={`stars${disabled ? " disabled" : ""}`}
      role="slider"
      tabIndex={disabled ? -1 : 0}
      aria-label={label}
      aria-valuemin={0.5}
      aria-valuemax={5}
      aria-valuenow={pending ?? value ?? undefined}
      aria-valuetext={
        pending !== null
          ? `${pending} stars, press Enter to save`
          : value !== null
            ? `${value} stars`
            : "not rated"
      }
      aria-disabled={disabled}
      onKeyDown={onKey}
      onMouseMove={(e) => !disabled && setHover(valueAt(e))}
      onMouseLeave={() => setHover(null)}
      onBlur={() => setPending(null)}
      onClick={(e) => {
        const v = valueAt(e);
        if (v !== null && !disabled) {
          setPending(null);
          onCommit(v);
        }
      }}
    >
      {stars.map((n) => {
        const fill = shown >= n ? 100 : shown >= n - 0.5 ? 50 : 0;
        return (
          <span className="star-slot" key={n}>
            <span className="star-shape" style={{ "--fill": `${fill}%` } as CSSProperties} />
            <span className="hit left" data-value={n - 0.5} title={`${n - 0.5} stars`} />
            <span className="hit right" data-value={n} title={`${n} stars`} />
          </span>
        );
      })}
      {pending !== null && <span className="stars-hint">{pending}★ · Enter</span>}
    </div>
  );
}
