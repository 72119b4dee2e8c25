/**
 * Versioned binary container for fitted collaborative models: a JSON header (format, version,
 * scalars, array directory) followed by 8-byte-aligned raw typed arrays. Typed arrays are stored
 * bit for bit, so a loaded model predicts identical scores; the header says what each array is.
 *
 *   "CRNK" | u32 header bytes | header JSON | pad to 8 | array 0 | pad | array 1 | ...
 */
import { CinerankError } from "../../core/index.js";

export type PackedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

const CTORS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
} as const;
type Kind = keyof typeof CTORS;

function kindOf(a: PackedArray): Kind {
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Uint32Array) return "u32";
  return "u8";
}

const MAGIC = [0x43, 0x52, 0x4e, 0x4b]; // "CRNK"

export function packModel(
  header: { format: string; version: number } & Record<string, unknown>,
  arrays: Record<string, PackedArray>,
): Uint8Array {
  const dir: { name: string; kind: Kind; length: number; offset: number }[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    dir.push({ name, kind: kindOf(a), length: a.length, offset });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const json = new TextEncoder().encode(JSON.stringify({ ...header, arrays: dir }));
  const dataStart = Math.ceil((8 + json.length) / 8) * 8;
  const out = new Uint8Array(dataStart + offset);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  dir.forEach((e, i) => {
    const a = Object.values(arrays)[i];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + e.offset);
  });
  return out;
}

export function unpackModel(
  bytes: Uint8Array,
  format: string,
  version: number,
): { header: Record<string, unknown>; arrays: Record<string, PackedArray> } {
  const bad = (why: string): never => {
    throw new CinerankError("ERR_MODEL_FORMAT", `${format}: ${why}`);
  };
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) bad("not a cinerank model file");
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + len > bytes.length) bad("truncated header");
  let header: Record<string, unknown> & {
    arrays?: { name: string; kind: Kind; length: number; offset: number }[];
  } = {};
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch {
    bad("header is not JSON");
  }
  if (header.format !== format || header.version !== version) {
    bad(
      `expected format ${format} version ${version}, got ${header.format} version ${header.version}`,
    );
  }
  const dataStart = Math.ceil((8 + len) / 8) * 8;
  const arrays: Record<string, PackedArray> = {};
  for (const e of header.arrays ?? []) {
    const Ctor = CTORS[e.kind];
    if (!Ctor) bad(`unknown array kind ${e.kind}`);
    const begin = dataStart + e.offset;
    const end = begin + e.length * Ctor.BYTES_PER_ELEMENT;
    if (end > bytes.length) bad(`array ${e.name} runs past the end of the file`);
    // copy into a fresh aligned buffer (the input may be an unaligned view)
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(begin, end));
    arrays[e.name] = new Ctor(copy.buffer);
  }
  return { header, arrays };
}
