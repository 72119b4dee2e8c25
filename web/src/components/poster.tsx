/**
 * Poster: the TMDB poster when metadata has one, else a tidy placeholder — a gradient tinted by
 * the movie's first genre with its title set in type — so the app looks finished either way.
 * A poster that fails to load falls back to the placeholder too.
 */
import { useState } from "react";
import { displayTitle } from "../lib/format.js";

const GENRE_HUE: Record<string, number> = {
  Action: 8,
  Adventure: 28,
  Animation: 45,
  Children: 60,
  Comedy: 48,
  Crime: 350,
  Documentary: 190,
  Drama: 230,
  Fantasy: 280,
  "Film-Noir": 220,
  Horror: 0,
  IMAX: 200,
  Musical: 320,
  Mystery: 260,
  Romance: 335,
  "Sci-Fi": 185,
  Thriller: 245,
  War: 90,
  Western: 30,
};

export function Poster({
  title,
  genres,
  posterUrl,
  size = "md",
}: {
  title: string;
  genres: string[];
  posterUrl: string | null;
  size?: "sm" | "md";
}) {
  const [failed, setFailed] = useState(false);
  const name = displayTitle(title);
  if (posterUrl && !failed) {
    return (
      <img
        className={`poster ${size}`}
        src={posterUrl}
        alt={`Poster of ${name}`}
        onError={() => setFailed(true)}
      />
    );
  }
  const hue = GENRE_HUE[genres[0] ?? ""] ?? 240;
  return (
    <div
      className={`poster placeholder ${size}`}
      style={{
        background: `linear-gradient(160deg, hsl(${hue} 70% 42%), hsl(${(hue + 40) % 360} 60% 22%))`,
      }}
      role="img"
      aria-label={`No poster for ${name}`}
    >
      <span className="placeholder-title">{name}</span>
      <svg className="placeholder-icon" viewBox="0 0 24 24" aria-hidden="true">
        <path
          d="M4 4h16a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm1 2v2h2V6H5zm12 0v2h2V6h-2zM5 10v2h2v-2H5zm12 0v2h2v-2h-2zM5 14v2h2v-2H5zm12 0v2h2v-2h-2zM9 6v12h6V6H9z"
          fill="currentColor"
        />
      </svg>
    </div>
  );
}
