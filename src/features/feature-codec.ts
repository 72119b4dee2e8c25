/**
 * Bytes for a FeatureSpec + FeatureState pair, so the artifacts stage can save the fitted
 * pipeline and the server can load it. One self-describing blob:
 *
 *   "CRFEAT01" | u32 LE header length | header JSON (spec, scalars, buffer table) | pad to 8
 *   | buffer 0 | pad | buffer 1 | ... (each buffer 8-byte aligned, offsets relative to data start)
 *
 * Pair scorers are stored as their own `serialize()` bytes and restored with the matching
 * source's `load`, so decoding needs the same sources that built the features.
 */
import { CinerankError } from "../core/index.js";
import type { ContentModel } from "./content-embeddings.js";
import type { FeatureSpec } from "./feature-spec.js";
import { FEATURE_SPEC_VERSION } from "./feature-spec.js";
import { type FeatureState, pairScorer } from "./feature-state.js";
import type { PairFeatureSource, PairScorer } from "./pair-feature-source.js";

const MAGIC = "CRFEAT01";

type Typed = Float64Array | Float32Array | Uint32Array | Int16Array | Uint8Array;
const CTORS = {
  f64: Float64Array,
  f32: Float32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u8: Uint8Array,
} as const;
type TypeName = keyof typeof CTORS;

function typeName(a: Typed): TypeName {
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Uint32Array) return "u32";
  if (a instanceof Int16Array) return "i16";
  return "u8";
}

interface Header {
  spec: FeatureSpec;
  nUsers: number;
  nMovies: number;
  /** JSON has no Infinity: null means "nothing trends". */
  trendingThreshold: number | null;
  vocabulary: string[] | null;
  contentDim: number;
  demographics: boolean;
  buffers: { name: string; type: TypeName; offset: number; length: number }[];
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeFeatures(spec: FeatureSpec, state: FeatureState): Uint8Array {
  const parts: [string, Typed][] = [
    ["userIds", state.userIds],
    ["movieIds", state.movieIds],
    ["globals", state.globals],
    ["userSums", state.userSums],
    ["movieBlock", state.movieBlock],
    ["movieEmbedding", state.movieEmbedding],
    ["movieGenreCols", state.movieGenreCols],
  ];
  if (state.demographics) {
    parts.push(
      ["demo.age", state.demographics.age],
      ["demo.gender", state.demographics.gender],
      ["demo.occupation", state.demographics.occupation],
    );
  }
  if (state.content)
    parts.push(["content.idf", state.content.tfidf.idf], ["content.basis", state.content.basis]);
  for (const name of spec.pairSources) {
    parts.push([`scorer.${name}`, pairScorer(state, name).serialize()]);
  }
  const buffers: Header["buffers"] = [];
  let offset = 0;
  for (const [name, a] of parts) {
    buffers.push({ name, type: typeName(a), offset, length: a.length });
    offset = align8(offset + a.byteLength);
  }
  const header: Header = {
    spec,
    nUsers: state.nUsers,
    nMovies: state.nMovies,
    trendingThreshold: Number.isFinite(state.trendingThreshold) ? state.trendingThreshold : null,
    vocabulary: state.content?.tfidf.vocabulary ?? null,
    contentDim: state.content?.dim ?? 0,
    demographics: state.demographics !== null,
    buffers,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(12 + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  for (let i = 0; i < parts.length; i++) {
    const a = parts[i][1];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + buffers[i].offset);
  }
  return out;
}

export function decodeFeatures(
  bytes: Uint8Array,
  sources: readonly PairFeatureSource[] = [],
): { spec: FeatureSpec; state: FeatureState } {
  const bad = (why: string) => new CinerankError("ERR_MODEL_FORMAT", `feature state: ${why}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw bad(`expected magic ${MAGIC}`);
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  } catch {
    throw bad("unreadable header JSON");
  }
  if (header.spec?.version !== FEATURE_SPEC_VERSION)
    throw bad(`expected spec version ${FEATURE_SPEC_VERSION}, got ${header.spec?.version}`);
  const dataStart = align8(12 + len);
  const get = <T extends TypeName>(name: string, type: T): InstanceType<(typeof CTORS)[T]> => {
    const b = header.buffers.find((x) => x.name === name);
    if (!b || b.type !== type) throw bad(`missing buffer ${name} (${type})`);
    const Ctor = CTORS[type];
    const start = dataStart + b.offset;
    const end = start + b.length * Ctor.BYTES_PER_ELEMENT;
    if (end > bytes.byteLength) throw bad(`buffer ${name} is truncated`);
    // Copy into a fresh, aligned buffer (the blob's offsets need not suit the element size).
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(start, end));
    return new Ctor(copy.buffer) as InstanceType<(typeof CTORS)[T]>;
  };
  const content: ContentModel | null = header.vocabulary
    ? {
        tfidf: { vocabulary: header.vocabulary, idf: get("content.idf", "f64") },
        dim: header.contentDim,
        basis: get("content.basis", "f64"),
      }
    : null;
  const scorers: Record<string, PairScorer> = {};
  for (const name of header.spec.pairSources) {
    const src = sources.find((s) => s.name === name);
    if (!src)
      throw new CinerankError(
        "ERR_MODEL_FORMAT",
        `feature state needs pair source "${name}" to load its scorer`,
      );
    scorers[name] = src.load(get(`scorer.${name}`, "u8"));
  }
  const state: FeatureState = {
    nUsers: header.nUsers,
    nMovies: header.nMovies,
    userIds: get("userIds", "f64"),
    movieIds: get("movieIds", "f64"),
    globals: get("globals", "f64"),
    trendingThreshold: header.trendingThreshold ?? Number.POSITIVE_INFINITY,
    userSums: get("userSums", "f64"),
    movieBlock: get("movieBlock", "f32"),
    movieEmbedding: get("movieEmbedding", "f32"),
    movieGenreCols: get("movieGenreCols", "u32"),
    demographics: header.demographics
      ? {
          age: get("demo.age", "f32"),
          gender: get("demo.gender", "u8"),
          occupation: get("demo.occupation", "i16"),
        }
      : null,
    content,
    scorers,
  };
  return { spec: header.spec, state };
}
