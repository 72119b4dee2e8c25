/**
 * The validation report of a load: malformed rows are skipped (default) or fail the load
 * (--strict), and either way each kind is counted with the first line numbers where it occurs,
 * so nothing is dropped silently.
 */
import { CinerankError } from "../core/index.js";

export type IssueKind =
  | "wrong_field_count"
  | "non_numeric_id"
  | "rating_out_of_scale"
  | "bad_timestamp"
  | "duplicate_rating"
  | "unknown_movie"
  | "duplicate_movie"
  | "blank_line"
  | "unterminated_quote"
  | "bad_value";

/** What each kind means, for messages and the README. */
export const ISSUE_EXPECTED: Record<IssueKind, string> = {
  wrong_field_count: "the release's number of fields per line",
  non_numeric_id: "a positive integer id",
  rating_out_of_scale: "a rating on the release's scale",
  bad_timestamp: "an integer Unix timestamp",
  duplicate_rating: "one rating per (user, movie); later duplicates are skipped",
  unknown_movie: "a movie id listed in the movies file",
  duplicate_movie: "each movie id once in the movies file; later duplicates are skipped",
  blank_line: "no blank lines",
  unterminated_quote: "a closing quote in a quoted field",
  bad_value: "a number in the field's range",
};

/** How many line numbers are kept per (file, kind). */
export const FIRST_LINES = 5;

export interface ValidationIssue {
  file: string;
  kind: IssueKind;
  /** Rows of this kind (all skipped). */
  count: number;
  /** First 1-based line numbers where it occurs, ascending. */
  firstLines: number[];
  expected: string;
}

export interface FileReport {
  /** File name inside the data folder. */
  file: string;
  /** ratings | movies | tags | links | users | genome-tags | genome-scores | genres */
  role: string;
  /** Data lines read (header excluded). */
  lines: number;
  /** Rows kept in the store. */
  rows: number;
}

export interface ValidationReport {
  files: FileReport[];
  /** Optional files of the layout that were not there (e.g. "tags.csv"). */
  missingOptional: string[];
  issues: ValidationIssue[];
  /** Total rows skipped over all files. */
  skipped: number;
  /** True when no issue was found. */
  ok: boolean;
}

/** Collects issues while files are parsed. */
export class ReportBuilder {
  private readonly byKey = new Map<string, ValidationIssue>();
  readonly files: FileReport[] = [];
  readonly missingOptional: string[] = [];

  add(file: string, kind: IssueKind, line: number): void {
    const key = `${file}\u0000${kind}`;
    let issue = this.byKey.get(key);
    if (!issue) {
      issue = { file, kind, count: 0, firstLines: [], expected: ISSUE_EXPECTED[kind] };
      this.byKey.set(key, issue);
    }
    issue.count++;
    if (issue.firstLines.length < FIRST_LINES) {
      issue.firstLines.push(line);
      issue.firstLines.sort((a, b) => a - b);
    } else if (line < issue.firstLines[FIRST_LINES - 1]) {
      // duplicates are found after the scan, so lines may arrive out of order
      issue.firstLines[FIRST_LINES - 1] = line;
      issue.firstLines.sort((a, b) => a - b);
    }
  }

  build(): ValidationReport {
    const issues = [...this.byKey.values()];
    const skipped = issues.reduce((s, i) => s + i.count, 0);
    return {
      files: this.files,
      missingOptional: this.missingOptional,
      issues,
      skipped,
      ok: issues.length === 0,
    };
  }
}

/** One line per issue, e.g. "ratings.csv: 3 rows rating_out_of_scale (lines 5, 9, 12; expected ...)". */
export function describeIssue(i: ValidationIssue): string {
  const more = i.count > i.firstLines.length ? ", ..." : "";
  return `${i.file}: ${i.count} row${i.count === 1 ? "" : "s"} ${i.kind} (line${i.firstLines.length === 1 ? "" : "s"} ${i.firstLines.join(", ")}${more}; expected ${i.expected})`;
}

/** Throws ERR_DATA_MALFORMED when the report has any issue (the --strict policy). */
export function assertStrict(report: ValidationReport): void {
  if (report.ok) return;
  const lines = report.issues.map(describeIssue);
  throw new CinerankError(
    "ERR_DATA_MALFORMED",
    `malformed rows (strict mode): ${lines.join("; ")}`,
    {
      issues: report.issues,
    },
  );
}
