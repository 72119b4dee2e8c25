/**
 * The shared row loop of every loader: scans a file's lines, skips the header, splits fields by
 * the layout's separator and reports blank lines, unterminated quotes and wrong field counts
 * before the per-file code sees a row. Progress is reported in bytes read.
 */
import type { ProgressReporter } from "../core/index.js";
import { type FieldBounds, fieldBounds, type Separator, splitFields } from "./field-splitter.js";
import { checkCsvHeader, checkSeparator } from "./header-check.js";
import { scanLines } from "./line-scanner.js";
import type { ReleaseFile } from "./release-files.js";
import type { ReportBuilder } from "./validation-report.js";

export interface RowSpec {
  sep: Separator;
  /** Exact number of fields per row. */
  fields: number;
  header: boolean;
  /** Expected header row (CSV files); checked before any row is read. */
  columns?: readonly string[];
}

/** Called per well-formed row with the fields' byte bounds; returns true when the row was kept. */
export type RowHandler = (buf: Uint8Array, f: FieldBounds, line: number) => boolean;

export interface RowCounts {
  /** Data lines (header excluded). */
  lines: number;
  /** Rows the handler kept. */
  rows: number;
}

export async function readRows(
  file: ReleaseFile,
  spec: RowSpec,
  report: ReportBuilder,
  onProgress: ProgressReporter,
  onRow: RowHandler,
): Promise<RowCounts> {
  if (spec.header) checkCsvHeader(file.path, file.name, spec.columns ?? []);
  else checkSeparator(file.path, file.name, spec.sep, spec.fields);
  const f = fieldBounds(spec.fields + 1);
  let lines = 0;
  let rows = 0;
  const stage = `load ${file.name}`;
  await scanLines(
    file.path,
    (buf, start, end, line) => {
      if (spec.header && line === 1) return;
      lines++;
      if (start === end) {
        report.add(file.name, "blank_line", line);
        return;
      }
      const n = splitFields(buf, start, end, spec.sep, f);
      if (n === -2) report.add(file.name, "unterminated_quote", line);
      else if (n !== spec.fields) report.add(file.name, "wrong_field_count", line);
      else if (onRow(buf, f, line)) rows++;
    },
    { onBytes: (done, total) => onProgress({ stage, done, total, unit: "bytes" }) },
  );
  return { lines, rows };
}
