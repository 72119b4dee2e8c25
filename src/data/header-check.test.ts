import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CinerankError } from "../core/index.js";
import { checkCsvHeader, checkSeparator } from "./header-check.js";

const dir = mkdtempSync(join(tmpdir(), "cinerank-header-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const RATINGS = ["userId", "movieId", "rating", "timestamp"];

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function code(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    assert.ok(e instanceof CinerankError);
    assert.match(e.message, /line 1/);
    return e.code;
  }
}

test("CSV header: right, wrong, missing, other separator, empty", () => {
  assert.equal(
    code(() =>
      checkCsvHeader(file("a.csv", "userId,movieId,rating,timestamp\n1,1,4,1\n"), "a.csv", RATINGS),
    ),
    null,
  );
  assert.equal(
    code(() => checkCsvHeader(file("b.csv", "user,movie,rating,time\n"), "b.csv", RATINGS)),
    "ERR_DATA_BAD_HEADER",
  );
  assert.equal(
    code(() => checkCsvHeader(file("c.csv", "1,1,4.0,1500000000\n"), "c.csv", RATINGS)),
    "ERR_DATA_BAD_HEADER",
  );
  assert.equal(
    code(() =>
      checkCsvHeader(file("d.csv", "userId;movieId;rating;timestamp\n"), "d.csv", RATINGS),
    ),
    "ERR_DATA_BAD_SEPARATOR",
  );
  assert.equal(
    code(() => checkCsvHeader(file("e.csv", ""), "e.csv", RATINGS)),
    "ERR_DATA_EMPTY",
  );
});

test("headerless files: '::' expected, ',' or tab found", () => {
  assert.equal(
    code(() => checkSeparator(file("r.dat", "1::1::5::975000000\n"), "r.dat", "::", 4)),
    null,
  );
  assert.equal(
    code(() => checkSeparator(file("s.dat", "1,1,5,975000000\n"), "s.dat", "::", 4)),
    "ERR_DATA_BAD_SEPARATOR",
  );
  assert.equal(
    code(() => checkSeparator(file("u.data", "1 1 5 975000000\n"), "u.data", "\t", 4)),
    "ERR_DATA_BAD_SEPARATOR",
  );
});
