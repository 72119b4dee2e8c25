/**
 * Splits one line (a byte range) into fields for the MovieLens separators: "," with RFC 4180
 * quoting (CSV releases), "::" (ml-1m, ml-10m), tab and "|" (ml-100k). Field boundaries go into
 * a caller-owned Int32Array so that 20M lines allocate nothing:
 *
 *   bounds: [start0, end0, start1, end1, ...]   (byte offsets into the line's buffer)
 *
 * Quoted CSV fields are reported without their quotes; `quoted` marks fields whose text still
 * contains doubled quotes ("") that decodeField must collapse.
 */
export type Separator = "," | "::" | "\t" | "|";

export interface FieldBounds {
  bounds: Int32Array;
  /** 1 when field i was quoted and contains an escaped quote. */
  escaped: Uint8Array;
}

export function fieldBounds(maxFields: number): FieldBounds {
  return { bounds: new Int32Array(2 * maxFields), escaped: new Uint8Array(maxFields) };
}

const COMMA = 44;
const COLON = 58;
const QUOTE = 34;
const TAB = 9;
const PIPE = 124;

/**
 * Splits buf[start, end) by `sep`. Returns the number of fields, or -1 when the line has more
 * than the capacity of `out` (treated as a wrong field count by the callers), or -2 for an
 * unterminated quote.
 */
export function splitFields(
  buf: Uint8Array,
  start: number,
  end: number,
  sep: Separator,
  out: FieldBounds,
): number {
  const b = out.bounds;
  const cap = b.length >> 1;
  let n = 0;
  if (sep === ",") return splitCsv(buf, start, end, out);
  const code = sep === "::" ? COLON : sep === "\t" ? TAB : PIPE;
  const width = sep === "::" ? 2 : 1;
  let fs = start;
  let i = start;
  while (i < end) {
    if (buf[i] === code && (width === 1 || (i + 1 < end && buf[i + 1] === COLON))) {
      if (n >= cap) return -1;
      b[2 * n] = fs;
      b[2 * n + 1] = i;
      out.escaped[n] = 0;
      n++;
      i += width;
      fs = i;
    } else i++;
  }
  if (n >= cap) return -1;
  b[2 * n] = fs;
  b[2 * n + 1] = end;
  out.escaped[n] = 0;
  return n + 1;
}

function splitCsv(buf: Uint8Array, start: number, end: number, out: FieldBounds): number {
  const b = out.bounds;
  const cap = b.length >> 1;
  let n = 0;
  let i = start;
  for (;;) {
    if (n >= cap) return -1;
    if (i < end && buf[i] === QUOTE) {
      // quoted field: runs to the next quote not followed by another quote
      const fs = i + 1;
      let j = fs;
      let esc = 0;
      for (;;) {
        if (j >= end) return -2;
        if (buf[j] === QUOTE) {
          if (j + 1 < end && buf[j + 1] === QUOTE) {
            esc = 1;
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      b[2 * n] = fs;
      b[2 * n + 1] = j;
      out.escaped[n] = esc;
      n++;
      i = j + 1;
      // after the closing quote only a separator or the end may follow; anything else is
      // kept in the field count check by treating the junk as part of the next field
      if (i >= end) return n;
      if (buf[i] === COMMA) {
        i++;
        if (i === end) {
          if (n >= cap) return -1;
          b[2 * n] = end;
          b[2 * n + 1] = end;
          out.escaped[n] = 0;
          return n + 1;
        }
        continue;
      }
      return -2;
    }
    let j = buf.indexOf(COMMA, i);
    if (j < 0 || j > end) j = end;
    b[2 * n] = i;
    b[2 * n + 1] = j;
    out.escaped[n] = 0;
    n++;
    if (j >= end) return n;
    i = j + 1;
    if (i === end) {
      if (n >= cap) return -1;
      b[2 * n] = end;
      b[2 * n + 1] = end;
      out.escaped[n] = 0;
      return n + 1;
    }
  }
}
