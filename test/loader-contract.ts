/**
 * The loader contract: every MovieLens layout must pass the same suite, run on a hand-written
 * fixture folder (written by src/data/write-tiny-release.ts, with an expected.json describing what it holds).
 * Variants of the fixture (CRLF + BOM, missing optional files, appended malformed rows, a wrong
 * separator, undecodable text) are derived from it in a temporary folder by the suite itself.
 */
import assert from "node:assert/strict";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { isCinerankError } from "../src/core/index.js";
import { type Dataset, genresOf, type LoadResult, loadDataset } from "../src/data/index.js";

export interface Expected {
  layout: "csv" | "dat" | "100k";
  release?: string;
  users: number;
  ratingUsers: number;
  movies: number;
  ratings: number;
  tags: number;
  halfStars: boolean;
  titles: Record<string, string>;
  years: Record<string, number | null>;
  genres: Record<string, string[]>;
  optional: string[];
  demographics?: Record<string, [string, number, string, string]>;
  firstRating: [number, number, number, number];
  /** Genome tags, movie ids with scores (in movie order) and their row-major relevance. */
  genome?: { tags: string[]; movies: number[]; relevance: number[] };
}

const RATINGS_FILE = { csv: "ratings.csv", dat: "ratings.dat", "100k": "u.data" };
const MOVIES_FILE = { csv: "movies.csv", dat: "movies.dat", "100k": "u.item" };
const SEP = { csv: ",", dat: "::", "100k": "\t" };

function copyFixture(src: string, dest: string, skip: string[] = []): string {
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(src))
    if (f !== "expected.json" && !skip.includes(f)) cpSync(join(src, f), join(dest, f));
  return dest;
}

/** Invalid rows of every kind in the layout's syntax, appended after the fixture's ratings. */
function malformedRows(e: Expected): { rows: string[]; kinds: [string, number][] } {
  const [u, m, r, t] = e.firstRating;
  const line = (...f: (string | number)[]) => f.join(SEP[e.layout]);
  const rows = [
    line(900, m, 4, t), // valid: a new user
    line(u, m, r), // wrong field count
    line("abc", m, 4, t), // non-numeric id
    line(901, m, 7, t), // out of scale on every release
    line(901, m, e.halfStars ? "3.25" : "3.5", t), // between the release's steps
    line(901, m, 4, "12.5"), // non-integer timestamp
    line(u, m, r, t), // duplicate (user, movie) of the first rating
    line(901, 999999, 4, t), // movie missing from the movies file
    "", // blank line
  ];
  // row index (0-based within `rows`) -> kind
  const kinds: [string, number][] = [
    ["wrong_field_count", 1],
    ["non_numeric_id", 2],
    ["rating_out_of_scale", 3],
    ["rating_out_of_scale", 4],
    ["bad_timestamp", 5],
    ["duplicate_rating", 6],
    ["unknown_movie", 7],
    ["blank_line", 8],
  ];
  return { rows, kinds };
}

function ratingTuples(d: Dataset): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.ratings.rating.length; i++) {
    out.push(
      `${d.users.id(d.ratings.user[i])}:${d.movies.id(d.ratings.movie[i])}:${d.ratings.rating[i]}:${d.ratings.timestamp[i]}`,
    );
  }
  return out;
}

async function rejects(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isCinerankError(e), `expected a CinerankError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

export function loaderContract(name: string, fixtureDir: string): void {
  const expected = JSON.parse(readFileSync(join(fixtureDir, "expected.json"), "utf8")) as Expected;
  const work = mkdtempSync(join(tmpdir(), `cinerank-contract-${name}-`));
  const store = (tag: string) => join(work, "stores", `${tag}.duckdb`);
  after(() => rmSync(work, { recursive: true, force: true }));
  // a folder name that keeps release detection by name (e.g. ml-1m-tiny -> ml-1m)
  const folder = (tag: string) => join(work, tag, name);
  let clean: LoadResult;

  describe(`loader contract: ${name}`, () => {
    test("loads the canonical dataset", async () => {
      clean = await loadDataset(copyFixture(fixtureDir, folder("clean")), {
        store: store("clean"),
        strict: true,
      });
      const d = clean.dataset;
      assert.equal(d.layout, expected.layout);
      if (expected.release) assert.equal(d.release, expected.release);
      assert.equal(d.users.size, expected.users);
      assert.equal(new Set(d.ratings.user).size, expected.ratingUsers);
      assert.equal(d.movies.size, expected.movies);
      assert.equal(d.ratings.rating.length, expected.ratings);
      assert.equal(d.tags.tag.length, expected.tags);
      assert.ok(clean.report.ok);
      const [u, m, r, t] = expected.firstRating;
      assert.deepEqual(
        [
          d.users.id(d.ratings.user[0]),
          d.movies.id(d.ratings.movie[0]),
          d.ratings.rating[0],
          d.ratings.timestamp[0],
        ],
        [u, m, r, t],
      );
      for (let i = 0; i < d.ratings.rating.length; i++) {
        const x = d.ratings.rating[i];
        assert.ok(d.ratings.user[i] >= 0 && d.ratings.user[i] < d.users.size);
        assert.ok(d.ratings.movie[i] >= 0 && d.ratings.movie[i] < d.movies.size);
        assert.ok(
          expected.halfStars
            ? Number.isInteger(x * 2) && x >= 0.5 && x <= 5
            : Number.isInteger(x) && x >= 1 && x <= 5,
        );
      }
      for (const [id, title] of Object.entries(expected.titles))
        assert.equal(d.movieInfo.title[d.movies.index(Number(id))], title);
      for (const [id, year] of Object.entries(expected.years)) {
        const y = d.movieInfo.year[d.movies.index(Number(id))];
        if (year === null) assert.ok(Number.isNaN(y), `movie ${id}: expected no year, got ${y}`);
        else assert.equal(y, year);
      }
      for (const [id, g] of Object.entries(expected.genres))
        assert.deepEqual(genresOf(d.movieInfo.genres[d.movies.index(Number(id))]), g);
      for (const [id, [gender, age, occupation, zip]] of Object.entries(
        expected.demographics ?? {},
      )) {
        const i = d.users.index(Number(id));
        assert.ok(d.demographics);
        assert.deepEqual(
          [
            d.demographics.gender[i],
            d.demographics.age[i],
            d.demographics.occupation[i],
            d.demographics.zip[i],
          ],
          [gender, age, occupation, zip],
        );
      }
      assert.ok(d.tags.user.every((x) => x >= 0) && d.tags.movie.every((x) => x >= 0));
      if (expected.genome) {
        assert.ok(d.genome);
        assert.deepEqual(d.genome.tags, expected.genome.tags);
        assert.deepEqual(
          [...d.genome.movies].map((m) => d.movies.id(m)),
          expected.genome.movies,
        );
        assert.deepEqual(
          [...d.genome.relevance].map((x) => Math.round(x * 1e6) / 1e6),
          expected.genome.relevance,
        );
      } else assert.equal(d.genome, undefined);
    });

    test("a second load reuses the store and gives the same dataset", async () => {
      const again = await loadDataset(folder("clean"), { store: store("clean") });
      assert.equal(again.store.reused, true);
      assert.deepEqual(ratingTuples(again.dataset), ratingTuples(clean.dataset));
      assert.deepEqual(again.dataset.movieInfo.title, clean.dataset.movieInfo.title);
      const rebuilt = await loadDataset(folder("clean"), { store: store("clean"), rebuild: true });
      assert.equal(rebuilt.store.reused, false);
      assert.deepEqual(ratingTuples(rebuilt.dataset), ratingTuples(clean.dataset));
    });

    test("CRLF line endings and a UTF-8 BOM give the same dataset", async () => {
      const dir = copyFixture(fixtureDir, folder("crlf"));
      for (const f of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, f));
        const crlf = Buffer.from(bytes.toString("latin1").replaceAll("\n", "\r\n"), "latin1");
        writeFileSync(join(dir, f), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), crlf]));
      }
      const got = await loadDataset(dir, { store: store("crlf"), strict: true });
      assert.deepEqual(ratingTuples(got.dataset), ratingTuples(clean.dataset));
      assert.deepEqual(got.dataset.movieInfo.title, clean.dataset.movieInfo.title);
      assert.deepEqual([...got.dataset.movieInfo.genres], [...clean.dataset.movieInfo.genres]);
      assert.deepEqual(got.dataset.tags.tag, clean.dataset.tags.tag);
    });

    test("optional files may be missing", async () => {
      const dir = copyFixture(
        fixtureDir,
        folder("minimal"),
        expected.optional.filter((f) => f !== "u.genre"),
      );
      const got = await loadDataset(dir, { store: store("minimal"), strict: true });
      assert.deepEqual(
        got.report.missingOptional.filter((f) => expected.optional.includes(f)).sort(),
        expected.optional.filter((f) => f !== "u.genre").sort(),
      );
      assert.equal(got.dataset.ratings.rating.length, expected.ratings);
      assert.equal(got.dataset.tags.tag.length, 0);
      assert.equal(got.dataset.demographics, undefined);
      assert.equal(got.dataset.genome, undefined);
      if (expected.release) assert.equal(got.dataset.release, expected.release);
    });

    test("malformed rows are skipped and reported per kind with first lines; --strict fails", async () => {
      const dir = copyFixture(fixtureDir, folder("malformed"));
      const file = join(dir, RATINGS_FILE[expected.layout]);
      const text = readFileSync(file, "latin1");
      const base = text.endsWith("\n") ? text : `${text}\n`;
      const baseLines = base.split("\n").length - 1;
      const { rows, kinds } = malformedRows(expected);
      // the blank line goes in the middle so that it is not an end-of-file newline
      writeFileSync(file, `${base}${rows.slice(0, -1).join("\n")}\n\n${rows[1]}\n`, "latin1");
      const got = await loadDataset(dir, { store: store("malformed") });
      const byKind = new Map<string, number[]>();
      for (const [kind, idx] of kinds) {
        const line = kind === "blank_line" ? baseLines + rows.length : baseLines + 1 + idx;
        byKind.set(kind, [...(byKind.get(kind) ?? []), line]);
      }
      // the last appended line repeats the wrong-field-count row
      byKind.get("wrong_field_count")!.push(baseLines + rows.length + 1);
      const issues = got.report.issues.filter((i) => i.file === RATINGS_FILE[expected.layout]);
      assert.deepEqual(
        Object.fromEntries(issues.map((i) => [i.kind, i.firstLines]).sort()),
        Object.fromEntries([...byKind.entries()].sort()),
      );
      for (const i of issues) assert.equal(i.count, byKind.get(i.kind)!.length);
      assert.equal(got.dataset.ratings.rating.length, expected.ratings + 1);
      assert.equal(got.report.ok, false);
      await rejects(
        loadDataset(dir, { store: store("malformed"), strict: true }),
        "ERR_DATA_MALFORMED",
        /rating_out_of_scale/,
      );
    });

    test("a missing required file names the file", async () => {
      const dir = copyFixture(fixtureDir, folder("nomovies"), [MOVIES_FILE[expected.layout]]);
      await rejects(
        loadDataset(dir, { store: store("nomovies") }),
        "ERR_DATA_MISSING_FILE",
        new RegExp(MOVIES_FILE[expected.layout].replace(".", "\\.")),
      );
    });

    test("a wrong separator is an error naming file and line", async () => {
      const dir = copyFixture(fixtureDir, folder("badsep"));
      const file = join(dir, RATINGS_FILE[expected.layout]);
      writeFileSync(
        file,
        readFileSync(file, "latin1").replaceAll(SEP[expected.layout], ";"),
        "latin1",
      );
      await rejects(
        loadDataset(dir, { store: store("badsep") }),
        "ERR_DATA_BAD_SEPARATOR",
        new RegExp(`${RATINGS_FILE[expected.layout].replace(".", "\\.")} line 1`),
      );
    });

    if (expected.layout === "csv" || expected.release === "ml-10m") {
      test("undecodable UTF-8 is an error naming file and line", async () => {
        const dir = copyFixture(fixtureDir, folder("badutf8"));
        const file = join(dir, MOVIES_FILE[expected.layout]);
        const lines = readFileSync(file, "latin1").split("\n");
        const idx = expected.layout === "csv" ? 2 : 1;
        lines[idx] = lines[idx].replace("(", "\xff(");
        writeFileSync(file, lines.join("\n"), "latin1");
        await rejects(
          loadDataset(dir, { store: store("badutf8") }),
          "ERR_DATA_ENCODING",
          new RegExp(`line ${idx + 1}`),
        );
      });
    }
  });
}
