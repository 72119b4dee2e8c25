/**
 * Release detection: which MovieLens layout a folder holds (from its files), the release name
 * (from the folder name when it is a known one), and where each required/optional file is.
 *
 *   csv  : ratings.csv movies.csv [tags.csv links.csv genome-tags.csv genome-scores.csv]
 *   dat  : ratings.dat movies.dat [users.dat (ml-1m) tags.dat (ml-10m)]
 *   100k : u.data u.item [u.user u.genre]
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { CinerankError } from "../core/index.js";
import type { Layout } from "./dataset.js";

export type FileRole =
  | "ratings"
  | "movies"
  | "tags"
  | "links"
  | "users"
  | "genome-tags"
  | "genome-scores"
  | "genres";

export interface ReleaseFile {
  role: FileRole;
  /** File name inside the folder. */
  name: string;
  path: string;
}

export interface ReleaseFiles {
  /** Absolute folder path. */
  dir: string;
  release: string;
  layout: Layout;
  /** Text encoding of the release's files. */
  encoding: "utf-8" | "latin1";
  /** Ratings on a half-star scale 0.5..5 (true) or whole stars 1..5 (false). */
  halfStars: boolean;
  files: ReleaseFile[];
  /** Optional files of this layout that are absent. */
  missingOptional: string[];
}

/** Marker file `cinerank generate` writes, so synthetic folders are recognised as such. */
export const SYNTHETIC_MARKER = "cinerank-synthetic.json";

const KNOWN: Record<string, string> = {
  "ml-latest-small": "ml-latest-small",
  "ml-latest": "ml-latest",
  "ml-100k": "ml-100k",
  "ml-1m": "ml-1m",
  "ml-10m": "ml-10m",
  "ml-10m100k": "ml-10m",
  "ml-20m": "ml-20m",
  "ml-25m": "ml-25m",
  "ml-32m": "ml-32m",
};

interface LayoutSpec {
  layout: Layout;
  required: [FileRole, string][];
  optional: [FileRole, string][];
}

const SPECS: LayoutSpec[] = [
  {
    layout: "csv",
    required: [
      ["ratings", "ratings.csv"],
      ["movies", "movies.csv"],
    ],
    optional: [
      ["tags", "tags.csv"],
      ["links", "links.csv"],
      ["genome-tags", "genome-tags.csv"],
      ["genome-scores", "genome-scores.csv"],
    ],
  },
  {
    layout: "dat",
    required: [
      ["ratings", "ratings.dat"],
      ["movies", "movies.dat"],
    ],
    optional: [
      ["users", "users.dat"],
      ["tags", "tags.dat"],
    ],
  },
  {
    layout: "100k",
    required: [
      ["ratings", "u.data"],
      ["movies", "u.item"],
    ],
    optional: [
      ["users", "u.user"],
      ["genres", "u.genre"],
    ],
  },
];

/**
 * Release name from a folder name: exact ("ml-1m"), or a known name followed by a separator
 * ("ml-1m-copy", "ml-latest-small.v2"); the longest known name wins (ml-latest-small over
 * ml-latest).
 */
export function knownRelease(folderName: string): string | undefined {
  const base = folderName.toLowerCase();
  if (KNOWN[base]) return KNOWN[base];
  const names = Object.keys(KNOWN).sort((a, b) => b.length - a.length);
  const hit = names.find((k) => base.startsWith(k) && /[-_. ]/.test(base[k.length]));
  return hit ? KNOWN[hit] : undefined;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Detects the layout of `dir`; throws ERR_DATA_MISSING_FILE / ERR_DATA_UNKNOWN_LAYOUT. */
export function detectRelease(dirIn: string): ReleaseFiles {
  const dir = resolve(dirIn);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CinerankError(
      "ERR_DATA_MISSING_FILE",
      `data folder ${dir} does not exist (expected a MovieLens folder; get one with \`cinerank download ml-latest-small\`)`,
      { dir },
    );
  }
  // the layout whose ratings or movies file is present decides; then its required files must be
  const spec = SPECS.find((s) => s.required.some(([, n]) => isFile(join(dir, n))));
  if (!spec) {
    throw new CinerankError(
      "ERR_DATA_UNKNOWN_LAYOUT",
      `no MovieLens files in ${dir}: expected ratings.csv + movies.csv (ml-latest, ml-20m, ...), ratings.dat + movies.dat (ml-1m, ml-10m) or u.data + u.item (ml-100k)`,
      { dir },
    );
  }
  const files: ReleaseFile[] = [];
  for (const [role, name] of spec.required) {
    const path = join(dir, name);
    if (!isFile(path)) {
      throw new CinerankError(
        "ERR_DATA_MISSING_FILE",
        `missing required file ${path} (the ${spec.layout} layout needs ${spec.required.map(([, n]) => n).join(" and ")})`,
        { dir, file: name },
      );
    }
    files.push({ role, name, path });
  }
  const missingOptional: string[] = [];
  for (const [role, name] of spec.optional) {
    const path = join(dir, name);
    if (isFile(path)) files.push({ role, name, path });
    else missingOptional.push(name);
  }
  const has = (role: FileRole) => files.some((f) => f.role === role);
  let release = knownRelease(basename(dir));
  if (!release) {
    if (spec.layout === "100k") release = "ml-100k";
    else if (spec.layout === "dat") release = has("users") ? "ml-1m" : "ml-10m";
    else release = isFile(join(dir, SYNTHETIC_MARKER)) ? "synthetic" : "custom";
  }
  // ml-1m and ml-100k are Latin-1 with whole-star ratings; the others UTF-8 with half stars
  const wholeStars = release === "ml-1m" || release === "ml-100k";
  return {
    dir,
    release,
    layout: spec.layout,
    encoding: wholeStars ? "latin1" : "utf-8",
    halfStars: !wholeStars,
    files,
    missingOptional,
  };
}
