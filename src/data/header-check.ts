/**
 * First-line checks that turn a wrong file into one clear error instead of a million malformed
 * rows: the CSV header row must be the release's, and headerless files must use the layout's
 * separator.
 */
import { CinerankError } from "../core/index.js";
import { firstLineBytes } from "./line-scanner.js";

const OTHER_SEPARATORS = [",", ";", "\t", "|", "::"];

function show(sep: string): string {
  return sep === "\t" ? "tab" : `'${sep}'`;
}

function firstLine(path: string, name: string, expected: string): string {
  const bytes = firstLineBytes(path);
  if (bytes === null || bytes.length === 0) {
    throw new CinerankError(
      "ERR_DATA_EMPTY",
      `${name} line 1: file is empty (expected ${expected})`,
      { file: name, line: 1 },
    );
  }
  return Buffer.from(bytes).toString("latin1");
}

/** Checks a CSV header row against `expected` column names (case-insensitive). */
export function checkCsvHeader(path: string, name: string, expected: readonly string[]): void {
  const want = expected.join(",");
  const line = firstLine(path, name, `the header row '${want}'`);
  const norm = (fields: string[]) =>
    fields.map((f) => f.trim().replace(/^"|"$/g, "").toLowerCase()).join(",");
  if (norm(line.split(",")) === want.toLowerCase()) return;
  for (const sep of OTHER_SEPARATORS) {
    if (sep !== "," && line.includes(sep) && norm(line.split(sep)) === want.toLowerCase()) {
      throw new CinerankError(
        "ERR_DATA_BAD_SEPARATOR",
        `${name} line 1: fields are separated by ${show(sep)}, expected ',' (header '${want}')`,
        { file: name, line: 1 },
      );
    }
  }
  const what = /^\s*\d/.test(line) ? "a data row" : `'${line.slice(0, 80)}'`;
  throw new CinerankError(
    "ERR_DATA_BAD_HEADER",
    `${name} line 1: expected the header row '${want}', found ${what}`,
    { file: name, line: 1 },
  );
}

/** Checks that the first line of a headerless file uses `sep` and has `fields` fields. */
export function checkSeparator(path: string, name: string, sep: string, fields: number): void {
  const line = firstLine(path, name, `${fields} fields separated by ${show(sep)}`);
  if (line.split(sep).length === fields) return;
  for (const other of OTHER_SEPARATORS) {
    if (other !== sep && !(sep === "::" && other === ":") && line.split(other).length === fields) {
      throw new CinerankError(
        "ERR_DATA_BAD_SEPARATOR",
        `${name} line 1: fields are separated by ${show(other)}, expected ${show(sep)}`,
        { file: name, line: 1 },
      );
    }
  }
  if (!line.includes(sep)) {
    throw new CinerankError(
      "ERR_DATA_BAD_SEPARATOR",
      `${name} line 1: no ${show(sep)} separator found (expected ${fields} fields separated by ${show(sep)})`,
      { file: name, line: 1 },
    );
  }
  // the separator is right; a wrong field count on line 1 is an ordinary malformed row
}
