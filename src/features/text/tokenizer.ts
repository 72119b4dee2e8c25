/**
 * Tokenizer for movie text (titles, user tags): lower-case, split on anything that is not a
 * letter or digit (Unicode-aware), drop one-character tokens and a short English stop list. A
 * title's trailing release year "(1995)" is not a word of the title, so titleWords strips it.
 */
const STOP = new Set([
  "the",
  "a",
  "an",
  "and",
  "or",
  "of",
  "in",
  "on",
  "at",
  "to",
  "for",
  "with",
  "by",
  "from",
  "is",
  "it",
  "its",
  "as",
  "be",
  "this",
  "that",
  "la",
  "le",
  "les",
  "de",
  "der",
  "die",
  "das",
  "el",
  "los",
  "il",
  "du",
  "des",
  "und",
]);

const SPLIT = /[^\p{L}\p{N}]+/u;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const t of text.toLowerCase().split(SPLIT)) {
    if (t.length < 2 || STOP.has(t)) continue;
    out.push(t);
  }
  return out;
}

/** Words of a MovieLens title without its "(year)" suffix. */
export function titleWords(title: string): string[] {
  return tokenize(title.replace(/\(\s*\d{4}(?:[-–]\d{0,4})?\s*\)\s*$/u, ""));
}
