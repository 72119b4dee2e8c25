/**
 * Streams a text file line by line as raw bytes, without building a string per line: the
 * loaders parse numbers straight from the bytes (20M rating lines) and decode only text fields.
 * Handles a UTF-8 byte-order mark on the first line and CRLF line endings; reports 1-based line
 * numbers so every validation message can point at the offending line.
 *
 *   file:  [ ...chunk k... | ...chunk k+1... ]   read in CHUNK-byte blocks
 *   carry: the bytes after the last '\n' of a block move to the front of the next block
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const CHUNK = 8 << 20;

/** Called once per line; `end` excludes the '\n' and a preceding '\r'. */
export type LineHandler = (buf: Uint8Array, start: number, end: number, line: number) => void;

export interface ScanResult {
  lines: number;
  bytes: number;
}

export interface ScanOptions {
  /** Called after each block with bytes read so far and the file size. */
  onBytes?: (done: number, total: number) => void;
}

/** Reads `path` and calls `onLine` for every line (the last line may lack a '\n'). */
export async function scanLines(
  path: string,
  onLine: LineHandler,
  opts: ScanOptions = {},
): Promise<ScanResult> {
  const fd = openSync(path, "r");
  try {
    const total = fstatSync(fd).size;
    let buf: Uint8Array = new Uint8Array(CHUNK);
    let filled = 0;
    let read = 0;
    let line = 0;
    let first = true;
    for (;;) {
      if (filled === buf.length) {
        // one line longer than the buffer: grow it
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = readSync(fd, buf, filled, buf.length - filled, null);
      read += n;
      const end = filled + n;
      let pos = 0;
      if (first && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      if (end > 0) first = false;
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0 || nl >= end) break;
        let e = nl;
        if (e > pos && buf[e - 1] === 13) e--;
        onLine(buf, pos, e, ++line);
        pos = nl + 1;
      }
      if (n === 0) {
        if (pos < end) {
          let e = end;
          if (buf[e - 1] === 13) e--;
          onLine(buf, pos, e, ++line);
        }
        break;
      }
      buf.copyWithin(0, pos, end);
      filled = end - pos;
      opts.onBytes?.(read, total);
      // let timers (progress bars) run between blocks
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { lines: line, bytes: read };
  } finally {
    closeSync(fd);
  }
}

/** Reads the first line of a file (BOM and CR stripped) as bytes, or null for an empty file. */
export function firstLineBytes(path: string): Uint8Array | null {
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(64 << 10);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n === 0) return null;
    let s = 0;
    if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) s = 3;
    let e = buf.indexOf(10, s);
    if (e < 0 || e > n) e = n;
    if (e > s && buf[e - 1] === 13) e--;
    return buf.slice(s, e);
  } finally {
    closeSync(fd);
  }
}
