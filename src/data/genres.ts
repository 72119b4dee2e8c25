/**
 * The canonical MovieLens genre vocabulary, shared by every release. ml-100k's "Children's"
 * and the CSV releases' "Children" are one genre; "(no genres listed)" means no genre at all.
 * A movie's genres are stored as a bitmask over this list (index i -> bit i).
 */
export const GENRES = [
  "Action",
  "Adventure",
  "Animation",
  "Children",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "IMAX",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
] as const;

export type Genre = (typeof GENRES)[number];

const ALIASES: Record<string, Genre> = {
  "children's": "Children",
  childrens: "Children",
  "film noir": "Film-Noir",
  "sci fi": "Sci-Fi",
  "science fiction": "Sci-Fi",
};

const BY_LOWER = new Map<string, number>(GENRES.map((g, i) => [g.toLowerCase(), i]));

/** Index of a genre name in GENRES, or -1 for "none" markers and unknown names. */
export function genreIndex(name: string): number {
  const key = name.trim().toLowerCase();
  if (key === "" || key === "(no genres listed)" || key === "unknown") return -1;
  const alias = ALIASES[key];
  if (alias) return GENRES.indexOf(alias);
  return BY_LOWER.get(key) ?? -1;
}

/** Bitmask of a list of genre names (unknown names ignored; see genreIndex). */
export function genreMask(names: Iterable<string>): number {
  let mask = 0;
  for (const n of names) {
    const i = genreIndex(n);
    if (i >= 0) mask |= 1 << i;
  }
  return mask >>> 0;
}

/** Genre names of a bitmask, in vocabulary order. */
export function genresOf(mask: number): Genre[] {
  const out: Genre[] = [];
  for (let i = 0; i < GENRES.length; i++) if (mask & (1 << i)) out.push(GENRES[i]);
  return out;
}
