/**
 * Title search over MovieLens titles: case- and accent-insensitive, tolerant of the catalogue's
 * habit of moving articles to the end ("Matrix, The (1999)") and of alternative titles in
 * parentheses ("City of Lost Children, The (Cité des enfants perdus, La) (1995)"). Each title is
 * reduced to one or more normalised keys; a query matches a key exactly, as a prefix, word by
 * word, or as a substring, in that order of strength, and popularity breaks ties.
 */

const ARTICLES = new Set([
  "the",
  "a",
  "an",
  "les",
  "la",
  "le",
  "l'",
  "il",
  "el",
  "das",
  "die",
  "der",
  "den",
  "det",
  "los",
  "las",
  "un",
  "une",
]);

/** Lower case, accents removed, punctuation to spaces, spaces collapsed. */
export function foldText(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^\p{L}\p{N}']+/gu, " ")
    .replace(/'/g, "")
    .trim()
    .replace(/\s+/g, " ");
}

/** "Matrix, The" -> "The Matrix" (also "Cité des enfants perdus, La"). */
function moveArticleFront(title: string): string {
  const m = /^(.*),\s*([^\s,]+)$/u.exec(title.trim());
  if (m && ARTICLES.has(m[2].toLowerCase())) return `${m[2]} ${m[1]}`;
  return title.trim();
}

/** The normalised keys a title answers to: main title and alternative titles, each with and
 * without a leading article. */
export function titleKeys(title: string): string[] {
  let t = title
    .trim()
    .replace(/\(\s*\d{4}(?:\s*[-–]\s*\d{0,4})?\s*\)\s*$/u, "")
    .trim();
  const alts: string[] = [];
  // Peel trailing parenthesised alternatives: "Main (Alt 1) (a.k.a. Alt 2)".
  for (let guard = 0; guard < 4; guard++) {
    const m = /^(.*\S)\s*\(([^()]+)\)$/u.exec(t);
    if (!m) break;
    alts.push(m[2].replace(/^(a\.k\.a\.|aka)\s+/iu, ""));
    t = m[1];
  }
  const keys = new Set<string>();
  for (const raw of [t, ...alts]) {
    const full = foldText(moveArticleFront(raw));
    if (full === "") continue;
    keys.add(full);
    const sp = full.indexOf(" ");
    if (sp > 0 && ARTICLES.has(full.slice(0, sp))) keys.add(full.slice(sp + 1));
  }
  return [...keys];
}

/** Match strength of a folded query against one key; 0 = no match. */
function matchScore(query: string, qWords: string[], key: string): number {
  if (key === query) return 4;
  if (key.startsWith(query) && (key.length === query.length || key[query.length] === " "))
    return 3.5;
  if (key.startsWith(query)) return 3;
  const words = key.split(" ");
  if (qWords.every((q) => words.some((w) => w.startsWith(q)))) return 2;
  if (key.includes(query)) return 1;
  return 0;
}

export interface TitleMatch {
  /** Dense movie index. */
  movie: number;
  score: number;
}

export class TitleIndex {
  private readonly keys: string[][];

  constructor(
    titles: readonly string[],
    /** Popularity per movie (e.g. rating count), for tie-breaking. */
    private readonly popularity: ArrayLike<number>,
  ) {
    this.keys = titles.map((t) => titleKeys(t));
  }

  /** Best matches first; `accept` filters movies (e.g. by genre). */
  search(query: string, limit: number, accept?: (movie: number) => boolean): TitleMatch[] {
    const q = foldText(moveArticleFront(query.replace(/\(\s*\d{4}\s*\)\s*$/u, "")));
    if (q === "") return [];
    const sp = q.indexOf(" ");
    const qNoArticle = sp > 0 && ARTICLES.has(q.slice(0, sp)) ? q.slice(sp + 1) : q;
    const qWords = qNoArticle.split(" ");
    const hits: TitleMatch[] = [];
    for (let m = 0; m < this.keys.length; m++) {
      let best = 0;
      for (const k of this.keys[m]) {
        const s = Math.max(matchScore(q, qWords, k), matchScore(qNoArticle, qWords, k));
        if (s > best) best = s;
      }
      if (best > 0 && (!accept || accept(m))) hits.push({ movie: m, score: best });
    }
    hits.sort(
      (a, b) =>
        b.score - a.score ||
        this.popularity[b.movie] - this.popularity[a.movie] ||
        a.movie - b.movie,
    );
    return hits.slice(0, limit);
  }
}
