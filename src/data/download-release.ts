/**
 * Downloads a MovieLens release from GroupLens' archive: fetches the published `<zip>.md5`,
 * streams the zip to a temporary file while hashing it, deletes it and fails on a checksum
 * mismatch, then unpacks it (streaming, fflate) into a temporary folder that is renamed to
 * `<dir>/<release>` only when complete. A folder already there with its download marker intact
 * (or any loadable release) is left alone.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, join, normalize, resolve, sep } from "node:path";
import { Unzip, UnzipInflate, UnzipPassThrough } from "fflate";
import {
  CinerankError,
  noProgress,
  type ProgressReporter,
  writeFileAtomic,
} from "../core/index.js";
import { detectRelease } from "./release-files.js";

export const GROUPLENS_BASE_URL = "https://files.grouplens.org/datasets/movielens";

/** Release name -> zip file name in the archive. */
export const RELEASE_ZIPS: Record<string, string> = {
  "ml-latest-small": "ml-latest-small.zip",
  "ml-latest": "ml-latest.zip",
  "ml-100k": "ml-100k.zip",
  "ml-1m": "ml-1m.zip",
  "ml-10m": "ml-10m.zip",
  "ml-20m": "ml-20m.zip",
  "ml-25m": "ml-25m.zip",
  "ml-32m": "ml-32m.zip",
};

/** Written into the release folder after a verified unpack. */
export const DOWNLOAD_MARKER = ".cinerank-download.json";

export interface DownloadOptions {
  /** Parent folder; the release lands in <dir>/<release>. */
  dir: string;
  /** Archive base URL (default GROUPLENS_BASE_URL, or $CINERANK_DOWNLOAD_BASE). */
  baseUrl?: string;
  onProgress?: ProgressReporter;
}

export interface DownloadResult {
  release: string;
  path: string;
  /** False when the release was already there and intact. */
  downloaded: boolean;
  md5?: string;
  bytes?: number;
}

interface Marker {
  release: string;
  md5: string;
  files: { name: string; size: number }[];
}

function intact(path: string): boolean {
  const markerPath = join(path, DOWNLOAD_MARKER);
  if (existsSync(markerPath)) {
    try {
      const m = JSON.parse(readFileSync(markerPath, "utf8")) as Marker;
      return m.files.every((f) => {
        const p = join(path, f.name);
        return existsSync(p) && statSync(p).size === f.size;
      });
    } catch {
      return false;
    }
  }
  // placed by hand: accept it when it loads as a release
  try {
    detectRelease(path);
    return true;
  } catch {
    return false;
  }
}

async function get(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new CinerankError(
      "ERR_DOWNLOAD",
      `cannot reach ${url}: ${(e as Error).message} (check the network, or download the zip by hand)`,
      { url },
    );
  }
  if (!res.ok || !res.body)
    throw new CinerankError("ERR_DOWNLOAD", `${url}: HTTP ${res.status} (expected 200)`, {
      url,
      status: res.status,
    });
  return res;
}

/** The 32-hex digest in a .md5 file ("MD5 (x.zip) = <hex>" or "<hex>  x.zip"). */
export function parseMd5File(text: string, url: string): string {
  const m = /\b([0-9a-f]{32})\b/i.exec(text);
  if (!m)
    throw new CinerankError(
      "ERR_DOWNLOAD",
      `${url}: no MD5 digest found (expected 32 hex digits)`,
      { url },
    );
  return m[1].toLowerCase();
}

export async function downloadRelease(
  release: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  const zipName = RELEASE_ZIPS[release];
  if (!zipName) {
    throw new CinerankError(
      "ERR_UNKNOWN_RELEASE",
      `unknown release '${release}' (expected one of ${Object.keys(RELEASE_ZIPS).join(", ")})`,
      { release },
    );
  }
  const onProgress = opts.onProgress ?? noProgress;
  const dir = resolve(opts.dir);
  const target = join(dir, release);
  if (existsSync(target) && intact(target)) return { release, path: target, downloaded: false };
  const base = (opts.baseUrl ?? process.env.CINERANK_DOWNLOAD_BASE ?? GROUPLENS_BASE_URL).replace(
    /\/+$/,
    "",
  );
  mkdirSync(dir, { recursive: true });

  const md5Url = `${base}/${zipName}.md5`;
  const expected = parseMd5File(await (await get(md5Url)).text(), md5Url);

  const zipUrl = `${base}/${zipName}`;
  const part = join(dir, `.${zipName}.${process.pid}.part`);
  const res = await get(zipUrl);
  const total = Number(res.headers.get("content-length")) || undefined;
  const hash = createHash("md5");
  let bytes = 0;
  const fd = openSync(part, "w");
  const stage = `download ${release}`;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      writeSync(fd, chunk);
      bytes += chunk.length;
      onProgress({ stage, done: bytes, total, unit: "bytes" });
    }
  } catch (e) {
    closeSync(fd);
    rmSync(part, { force: true });
    throw new CinerankError(
      "ERR_DOWNLOAD",
      `${zipUrl}: download interrupted after ${bytes} bytes: ${(e as Error).message}`,
      { url: zipUrl },
    );
  }
  closeSync(fd);
  onProgress({ stage, done: bytes, total: bytes, unit: "bytes" });
  const got = hash.digest("hex");
  if (got !== expected) {
    rmSync(part, { force: true });
    throw new CinerankError(
      "ERR_CHECKSUM",
      `${zipName}: MD5 ${got} does not match the published ${expected} (${md5Url}); the download was deleted`,
      {
        file: zipName,
        expected,
        got,
      },
    );
  }

  const staging = join(dir, `.${release}.${process.pid}.unpack`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const files = await unpack(part, staging, bytes, onProgress, `unpack ${release}`);
    const marker: Marker = { release, md5: got, files };
    await writeFileAtomic(join(staging, DOWNLOAD_MARKER), JSON.stringify(marker, null, 2));
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    rmSync(part, { force: true });
  }
  return { release, path: target, downloaded: true, md5: got, bytes };
}

/** Streams the zip's entries into `dest`, dropping the archive's single top-level folder. */
async function unpack(
  zipPath: string,
  dest: string,
  total: number,
  onProgress: ProgressReporter,
  stage: string,
) {
  mkdirSync(dest, { recursive: true });
  const files: { name: string; size: number }[] = [];
  const open = new Map<string, number>();
  let failure: Error | null = null;
  const unzip = new Unzip((file) => {
    if (file.name.endsWith("/")) return;
    // "ml-latest-small/ratings.csv" -> "ratings.csv"; refuse paths that escape dest
    const rel = file.name.includes("/") ? file.name.slice(file.name.indexOf("/") + 1) : file.name;
    const out = normalize(join(dest, rel));
    if (!out.startsWith(dest + sep) || rel.startsWith("__MACOSX")) return;
    mkdirSync(dirname(out), { recursive: true });
    const fd = openSync(out, "w");
    open.set(out, fd);
    let size = 0;
    file.ondata = (err, data, final) => {
      if (err) {
        failure = err;
        return;
      }
      writeSync(fd, data);
      size += data.length;
      if (final) {
        closeSync(fd);
        open.delete(out);
        files.push({ name: rel, size });
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  let done = 0;
  try {
    for await (const chunk of createReadStream(zipPath, { highWaterMark: 1 << 20 })) {
      unzip.push(chunk as Uint8Array);
      done += (chunk as Uint8Array).length;
      onProgress({ stage, done, total, unit: "bytes" });
      if (failure) break;
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } finally {
    for (const fd of open.values()) closeSync(fd);
  }
  if (failure || open.size > 0) {
    throw new CinerankError(
      "ERR_DOWNLOAD",
      `${zipPath}: corrupt zip (${failure ? (failure as Error).message : "truncated entry"})`,
      { file: zipPath },
    );
  }
  if (files.length === 0)
    throw new CinerankError("ERR_DOWNLOAD", `${zipPath}: the zip holds no files`, {
      file: zipPath,
    });
  return files.sort((a, b) => a.name.localeCompare(b.name));
}
