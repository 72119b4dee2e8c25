/**
 * Compact, versioned bytes for a tree model: a JSON header (names, base score, config,
 * importances) followed by the packed forest's arrays, raw little-endian. Loading gives the
 * very same float32 thresholds/values and float64 base score, so predictions are bit-identical.
 *
 *   "CRTM" | u32 version | u32 header bytes | header JSON (utf8) | pad to 4
 *   | u32 trees | u32 nodes | treeStart i32[trees+1] | feature i32[n] | threshold f32[n]
 *   | left i32[n] | value f32[n] | cover f32[n] | defaultLeft u8[n]
 */
import { CinerankError } from "../../core/index.js";
import { PackedForest } from "./packed-tree.js";

export const TREE_FORMAT_VERSION = 1;
const MAGIC = [0x43, 0x52, 0x54, 0x4d]; // "CRTM"

export function serializeForest(header: object, f: PackedForest): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headLen = 12 + json.length;
  const pad = (4 - (headLen % 4)) % 4;
  const n = f.nodes;
  const total = headLen + pad + 8 + 4 * (f.trees + 1) + n * (4 * 5 + 1);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(4, TREE_FORMAT_VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  let o = headLen + pad;
  dv.setUint32(o, f.trees, true);
  dv.setUint32(o + 4, n, true);
  o += 8;
  const put = (a: Int32Array | Float32Array | Uint8Array): void => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    // typed arrays are little-endian on every platform Node supports
    out.set(bytes, o);
    o += bytes.length;
  };
  put(f.treeStart);
  put(f.feature);
  put(f.threshold);
  put(f.left);
  put(f.value);
  put(f.cover);
  put(f.defaultLeft);
  return out;
}

export function deserializeForest<H>(
  bytes: Uint8Array,
  what: string,
): { header: H; forest: PackedForest } {
  const fail = (why: string): never => {
    throw new CinerankError("ERR_MODEL_FORMAT", `${what}: not a cinerank tree model (${why})`);
  };
  if (bytes.length < 12 || MAGIC.some((m, i) => bytes[i] !== m)) fail("bad magic bytes");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== TREE_FORMAT_VERSION) {
    fail(`format version ${version}, this build reads version ${TREE_FORMAT_VERSION}`);
  }
  const jl = dv.getUint32(8, true);
  if (12 + jl > bytes.length) fail("truncated header");
  let header: H;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jl))) as H;
  } catch {
    return fail("header is not JSON");
  }
  let o = 12 + jl;
  o += (4 - (o % 4)) % 4;
  if (o + 8 > bytes.length) fail("truncated");
  const trees = dv.getUint32(o, true);
  const n = dv.getUint32(o + 4, true);
  o += 8;
  if (o + 4 * (trees + 1) + n * 21 !== bytes.length) fail("length does not match the node count");
  // copy into aligned buffers (the input may sit at any offset). Not bytes.slice: a Node Buffer
  // (readFileSync) overrides slice with a view of its whole pooled ArrayBuffer.
  const take = (len: number): ArrayBuffer => {
    const b = Uint8Array.prototype.slice.call(bytes, o, o + len).buffer;
    o += len;
    return b;
  };
  const treeStart = new Int32Array(take(4 * (trees + 1)));
  const feature = new Int32Array(take(4 * n));
  const threshold = new Float32Array(take(4 * n));
  const left = new Int32Array(take(4 * n));
  const value = new Float32Array(take(4 * n));
  const cover = new Float32Array(take(4 * n));
  const defaultLeft = new Uint8Array(take(n));
  if (treeStart[trees] !== n) fail("tree offsets do not match the node count");
  for (let i = 0; i < n; i++) {
    if (feature[i] >= 0 && (left[i] <= i || left[i] + 1 >= n)) fail(`node ${i} has bad children`);
  }
  return {
    header,
    forest: new PackedForest(treeStart, feature, threshold, left, defaultLeft, value, cover),
  };
}
