/**
 * Release year from a MovieLens title: a trailing "(1995)" (trailing spaces allowed, and ranges
 * such as "(2007-2013)" of TV series give their first year). Titles like
 * "Seven (a.k.a. Se7en) (1995)" keep their inner parentheses. No year -> null (imputed later).
 */
const TRAILING_YEAR = /\((\d{4})(?:[-–]\d{4}|[-–])?\)\s*$/;

export interface TitleYear {
  /** Title without the trailing year, trimmed. */
  name: string;
  year: number | null;
}

export function parseTitleYear(title: string): TitleYear {
  const m = TRAILING_YEAR.exec(title);
  if (!m) return { name: title.trim(), year: null };
  return { name: title.slice(0, m.index).trim(), year: Number(m[1]) };
}
