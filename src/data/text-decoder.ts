/**
 * Decodes text fields from raw bytes: strict UTF-8 (undecodable bytes are an error naming the
 * file and line) or Latin-1 (ml-100k, ml-1m), collapsing CSV's doubled quotes.
 */
import { CinerankError } from "../core/index.js";

export type FieldDecoder = (
  buf: Uint8Array,
  start: number,
  end: number,
  line: number,
  escaped?: boolean,
) => string;

export function fieldDecoder(encoding: "utf-8" | "latin1", file: string): FieldDecoder {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  return (buf, start, end, line, escaped) => {
    let s: string;
    if (encoding === "latin1") {
      s = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("latin1");
    } else {
      let ascii = true;
      for (let i = start; i < end; i++) {
        if (buf[i] > 127) {
          ascii = false;
          break;
        }
      }
      if (ascii)
        s = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("latin1");
      else {
        try {
          s = utf8.decode(buf.subarray(start, end));
        } catch {
          throw new CinerankError(
            "ERR_DATA_ENCODING",
            `${file} line ${line}: undecodable text (expected UTF-8)`,
            { file, line },
          );
        }
      }
    }
    return escaped ? s.replaceAll('""', '"') : s;
  };
}
