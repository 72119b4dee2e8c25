/**
 * The histogram kernel (histogram.ts buildHistogramGroups) in WebAssembly SIMD, assembled from
 * bytes at load time (no toolchain, no checked-in binary). A bin's (gradient, hessian) pair is
 * one f64x2, and a row's pair is added to it with one load, one f64x2.add and one store, with
 * no bounds checks: about twice the speed of the JavaScript loop, which is where a boosting
 * round spends most of its time.
 *
 * All the kernel touches lives in one shared WebAssembly.Memory (workspace.ts places the bin
 * codes, gradient pairs, row indices and histogram slots there), addressed by byte offsets:
 *
 *   idx:  int32 per position            -> row r
 *   gh:   f64x2 per row (16 bytes)      -> (g, h) of row r
 *   bins: stride bytes per row          -> 4 codes per 32-bit word
 *   hist: 256 bins x 16 bytes per feature (FEAT_BYTES); bin b of feature f at f*4096 + b*16
 *
 * The bytes come from the project's one WebAssembly writer (factorization/wasm-assembler.ts).
 * Summation order per bin is the rows' order, exactly as in the JavaScript kernel, so both give
 * bit-identical histograms.
 */
import {
  Code,
  type FuncDef,
  I32,
  lazyModule,
  V128,
  type ValType,
  wasmApi,
  type WasmMemory,
} from "../wasm-assembler.js";

export type { WasmMemory };

/** Bytes per feature of a 2-channel histogram (256 bins x f64x2). */
export const FEAT_BYTES = 4096;

/**
 * hist4(hist, bins, stride, gh, idx, i0, i1, w0, w1): for positions p in [i0, i1) (byte offsets
 * into idx, step 4), row r = idx[p]: for each code word w in [w0, w1) (byte offsets within the
 * row, step 4) add gh[r] to the 4 features' bins; hist points at the first word's feature.
 */
function hist4(): FuncDef {
  const [hist, bins, stride, gh, , i0, i1, w0, w1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const p = i0;
  const nParams = 9;
  const ghv = nParams; // v128
  const w = nParams + 1;
  const wEnd = nParams + 2;
  const o = nParams + 3;
  const x = nParams + 4;
  const k = new Code();
  k.block();
  k.get(p).get(i1).i32GeU().brIf(0);
  k.loop();
  // r = idx[p] (p already includes idx's offset); ghv = gh[r]; row base
  k.get(p).i32Load().set(x);
  k.get(gh).get(x).i32(4).i32Shl().i32Add().v128Load().set(ghv);
  k.get(bins).get(x).get(stride).i32Mul().i32Add().tee(w).get(w1).i32Add().set(wEnd);
  k.get(w).get(w0).i32Add().set(w);
  k.get(hist).set(o);
  k.loop();
  k.get(w).i32Load().set(x);
  const lanes: [number, number][] = [
    [0, 0],
    [4, FEAT_BYTES],
    [12, 2 * FEAT_BYTES],
    [20, 3 * FEAT_BYTES],
  ];
  for (const [shift, off] of lanes) {
    // address = o + (((x >>> shift) & 0xff) << 4), as o + ((x >>> (shift)) & 0xff0) for shift > 0
    k.get(o);
    if (shift === 0) k.get(x).i32(255).i32And().i32(4).i32Shl();
    else k.get(x).i32(shift).i32ShrU().i32(0xff0).i32And();
    k.i32Add().tee(ghv + 5); // address local
    k.get(ghv + 5)
      .v128Load(off)
      .get(ghv)
      .f64x2Add()
      .v128Store(off);
  }
  k.get(o)
    .i32(4 * FEAT_BYTES)
    .i32Add()
    .set(o);
  k.get(w).i32(4).i32Add().tee(w).get(wEnd).i32LtU().brIf(0);
  k.end();
  k.get(p).i32(4).i32Add().tee(p).get(i1).i32LtU().brIf(0);
  k.end();
  k.end();
  // locals: ghv (v128), w, wEnd, o, x, addr (i32)
  return {
    name: "hist4",
    params: Array.from({ length: nParams }, (): ValType => I32),
    locals: [V128, I32, I32, I32, I32, I32],
    body: k,
  };
}

/**
 * split(i, iEnd, l, r, col, t, mb, dl) -> l: the stable branch-free partition of
 * row-partition.ts splitRows in byte offsets. For each row = idx at i (step 4, up to iEnd):
 * code c = col[row] (one byte per row); it goes left when (c === mb ? dl : c <= t). The row is
 * stored at both l and r and only its side's pointer advances; returns the final l.
 */
function split(): FuncDef {
  const [i, iEnd, l, r, col, t, mb, dl] = [0, 1, 2, 3, 4, 5, 6, 7];
  const row = 8;
  const c = 9;
  const le = 10;
  const go = 11;
  const k = new Code();
  k.block();
  k.get(i).get(iEnd).i32GeU().brIf(0);
  k.loop();
  k.get(i).i32Load().set(row);
  k.get(col).get(row).i32Add().i32Load8U().set(c);
  // le = (c - t - 1) >>> 31
  k.get(c).get(t).i32Sub().i32(1).i32Sub().i32(31).i32ShrU().set(le);
  // go = le ^ (miss & (le ^ dl)), miss = ((c ^ mb) - 1) >>> 31
  k.get(le);
  k.get(c).get(mb).i32Xor().i32(1).i32Sub().i32(31).i32ShrU();
  k.get(le).get(dl).i32Xor().i32And();
  k.i32Xor().set(go);
  k.get(l).get(row).i32Store();
  k.get(r).get(row).i32Store();
  k.get(l).get(go).i32(2).i32Shl().i32Add().set(l);
  k.get(r).i32(4).i32Add().get(go).i32(2).i32Shl().i32Sub().set(r);
  k.get(i).i32(4).i32Add().tee(i).get(iEnd).i32LtU().brIf(0);
  k.end();
  k.end();
  k.get(l);
  return {
    name: "split",
    params: Array.from({ length: 8 }, (): ValType => I32),
    results: [I32],
    locals: [I32, I32, I32, I32],
    body: k,
  };
}

const api = wasmApi;
const histModule = lazyModule(() => [hist4(), split()]);

/** Whether the kernel can run here (WebAssembly with SIMD). */
export function wasmHistogramAvailable(): boolean {
  return histModule() !== null;
}

/** A shared memory of at least `bytes` bytes, or null when refused. */
export function allocateKernelMemory(bytes: number): WasmMemory | null {
  const pages = Math.ceil(Math.max(bytes, 1) / 65536);
  if (!api || pages > 65536 || !histModule()) return null;
  try {
    return new api.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}

export type Hist4 = (
  hist: number,
  bins: number,
  stride: number,
  gh: number,
  idx: number,
  i0: number,
  i1: number,
  w0: number,
  w1: number,
) => void;

export type Split = (
  i: number,
  iEnd: number,
  l: number,
  r: number,
  col: number,
  t: number,
  mb: number,
  dl: number,
) => number;

/** This thread's instance of the kernels over `memory`. */
export function histKernel(memory: WasmMemory): { hist4: Hist4; split: Split } {
  const mod = histModule();
  if (!mod || !api) throw new Error("WebAssembly SIMD is not available");
  const inst = new api.Instance(mod, { env: { mem: memory } });
  return { hist4: inst.exports.hist4 as Hist4, split: inst.exports.split as Split };
}
