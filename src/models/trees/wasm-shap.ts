/**
 * SharedSubset's explain (shared-subset.ts) in WebAssembly SIMD, assembled at load time by the
 * project's writer (models/wasm-assembler.ts). One call explains all rows of a list over all
 * trees, four rows per vector: the rows sit side by side in every vector (feature values,
 * patterns, sums), so a split's test, a group's table key and a feature's sum update are one
 * instruction for four rows instead of four trips through a scalar loop.
 *
 *   explain(t, tEnd, chunks, xAt, slotAt, sharedAt, sumsAt)
 *
 * Rows come in `chunks` groups of four (a list of 10 rows is 3 chunks; callers pad with copies
 * of row 0, which read the same table entries). With cb = chunks * 16:
 *   - values:  feature f of row r is the f32 at xAt + f * cb + r * 4 (feature-major);
 *   - varying patterns: slot s of row r is the i32 at slotAt + s * cb + r * 4;
 *   - shared patterns (one row: every row has them): slot s is the i32 at sharedAt + s * 4;
 *   - sums: feature f of row r is the f64 at sumsAt + f * 2 * cb + r * 8; explain adds to them.
 *
 * The tables' metadata is one forward stream (what a cold cache streams in best), tree by tree:
 *   tree record (16 bytes, [t, tEnd)): byte addresses of the tree's shared splits, its
 *     varying splits, its groups and their end (each starts where the one before ends);
 *   split record (16 bytes): feature (i32), threshold (f32), source slot (u16), left slot
 *     (u16; the right child's slot follows), pattern bit position (u8), default left (u8);
 *   group record (28 bytes + 2 per wanted feature, padded to 4): table byte offset (i32),
 *     bytes per shared key (i32), leaf a's and b's shared slots (u16 each), their varying slots
 *     (u16 each), varying mask (i32), sibling shift, multiplier of a's key, mask of b's bit,
 *     wanted count (u8 each), shared shift (31 - shared bits), shared key multiplier, shared
 *     sibling shift and mask (u8 each), then the wanted features (u16 each).
 * Per tree: the shared splits for row 0 (scalar), the varying splits for all rows, then per
 * group the shared key (scalar, once), each row's key (vector), and per wanted feature the
 * float32 entries added to the rows' f64 sums. Each sum gets its adds in group order, as in
 * SharedSubset's JavaScript loops: bit-identical.
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

/** Bytes per tree record, per split record, and of a group record before its features. */
export const TREE_BYTES = 16;
export const SPLIT_BYTES = 16;
export const GROUP_HEAD_BYTES = 28;

/** A group record's length for `wanted` features. */
export function groupBytes(wanted: number): number {
  return (GROUP_HEAD_BYTES + 2 * wanted + 3) & ~3;
}

function explain(): FuncDef {
  const [t, tEnd, chunks, xAt, slotAt, sharedAt, sumsAt] = [0, 1, 2, 3, 4, 5, 6];
  // i32 locals
  const [cb, sumStride, p, pEnd, w, go, m, la, c, sa, xa] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [va, vb, base, wn, fp, fEnd, e, fa, a0, a1, a2, a3, rowAt] = [
    18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
  ];
  // v128 locals
  const [vthr, vbit, vdl, vx, vgo, vm, vvm, vmulA, vmulB, vwn4, vbase] = [
    31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
  ];
  const k = new Code();
  /** `while (a < b) { body }` over i32 locals a, b; body advances a. */
  const whileLt = (a: number, b: number, body: () => void) => {
    k.block();
    k.get(a).get(b).i32GeU().brIf(0);
    k.loop();
    body();
    k.get(a).get(b).i32LtU().brIf(0);
    k.end();
    k.end();
  };
  const byteOf = (shift: number) => {
    if (shift > 0) k.i32(shift).i32ShrU();
    k.i32(255).i32And();
  };
  k.get(chunks).i32(4).i32Shl().set(cb);
  k.get(cb).i32(1).i32Shl().set(sumStride);
  whileLt(t, tEnd, () => {
    // shared splits, row 0 only: shared slot 0 = all bits
    k.get(sharedAt).i32(-1).i32Store();
    k.get(t).i32Load(0).set(p);
    k.get(t).i32Load(4).set(pEnd);
    whileLt(p, pEnd, () => {
      k.get(xAt).get(p).i32Load(0).get(cb).i32Mul().i32Add().set(xa);
      // go = (x <= thr) | ((1 - (x > thr)) & dl): 1 = left; NaN takes the default side
      k.get(xa).f32Load().get(p).f32Load(4).f32Le();
      k.i32(1).get(xa).f32Load().get(p).f32Load(4).f32Gt().i32Sub();
      k.get(p).i32Load8U(13).i32And().i32Or().set(go);
      k.get(p).i32Load(8).set(w);
      k.get(sharedAt).get(w).i32(0xffff).i32And().i32(2).i32Shl().i32Add().i32Load().set(m);
      k.get(sharedAt).get(w).i32(16).i32ShrU().i32(2).i32Shl().i32Add().set(la);
      // left: m & ~(bit * (1 - go)); right: m & ~(bit * go)
      k.get(la).get(m).i32(1).get(p).i32Load8U(12).i32Shl().tee(w);
      k.i32(1).get(go).i32Sub().i32Mul().i32(-1).i32Xor().i32And().i32Store();
      k.get(la).get(m).get(w).get(go).i32Mul().i32(-1).i32Xor().i32And().i32Store(4);
      k.get(p).i32(SPLIT_BYTES).i32Add().set(p);
    });
    // varying splits, all rows: varying slot 0 = all bits
    k.i32(0).set(c);
    k.i32(-1).i32x4Splat().set(vm);
    whileLt(c, cb, () => {
      k.get(slotAt).get(c).i32Add().get(vm).v128Store();
      k.get(c).i32(16).i32Add().set(c);
    });
    k.get(t).i32Load(8).set(pEnd);
    whileLt(p, pEnd, () => {
      k.get(xAt).get(p).i32Load(0).get(cb).i32Mul().i32Add().set(xa);
      k.get(p).f32Load(4).f32x4Splat().set(vthr);
      k.get(p).i32Load(8).set(w);
      k.get(slotAt).get(w).i32(0xffff).i32And().get(cb).i32Mul().i32Add().set(sa);
      k.get(slotAt).get(w).i32(16).i32ShrU().get(cb).i32Mul().i32Add().set(la);
      k.i32(1).get(p).i32Load8U(12).i32Shl().i32x4Splat().set(vbit);
      k.i32(0).get(p).i32Load8U(13).i32Sub().i32x4Splat().set(vdl);
      k.i32(0).set(c);
      whileLt(c, cb, () => {
        k.get(xa).get(c).i32Add().v128Load().set(vx);
        // go lanes all-ones = left: (x <= thr) | (dl & ~(x > thr))
        k.get(vx).get(vthr).f32x4Le();
        k.get(vdl).get(vx).get(vthr).f32x4Gt().v128AndNot().v128Or().set(vgo);
        k.get(sa).get(c).i32Add().v128Load().set(vm);
        // left: m & ~(bit & ~go); right (one slot on): m & ~(bit & go)
        k.get(la).get(c).i32Add();
        k.get(vm).get(vbit).get(vgo).v128AndNot().v128AndNot().v128Store();
        k.get(la).get(cb).i32Add().get(c).i32Add();
        k.get(vm).get(vbit).get(vgo).v128And().v128AndNot().v128Store();
        k.get(c).i32(16).i32Add().set(c);
      });
      k.get(p).i32(SPLIT_BYTES).i32Add().set(p);
    });
    // groups
    k.get(t).i32Load(12).set(pEnd);
    whileLt(p, pEnd, () => {
      // base = table + shared key * bytes per key; shared key = ((shared a >>> 1) >>>
      // sShift) * sMul + ((shared b >>> sibShift) & sibMask)
      k.get(p).i32Load(8).set(w);
      k.get(p).i32Load(24).set(go);
      k.get(sharedAt).get(w).i32(0xffff).i32And().i32(2).i32Shl().i32Add().i32Load().i32(1).i32ShrU();
      k.get(go);
      byteOf(0);
      k.i32ShrU().get(go);
      byteOf(8);
      k.i32Mul();
      k.get(sharedAt).get(w).i32(16).i32ShrU().i32(2).i32Shl().i32Add().i32Load().get(go);
      byteOf(16);
      k.i32ShrU().get(go).i32(24).i32ShrU().i32And().i32Add();
      k.get(p).i32Load(4).i32Mul().get(p).i32Load(0).i32Add().set(base);
      k.get(p).i32Load(12).set(w);
      k.get(slotAt).get(w).i32(0xffff).i32And().get(cb).i32Mul().i32Add().set(va);
      k.get(slotAt).get(w).i32(16).i32ShrU().get(cb).i32Mul().i32Add().set(vb);
      k.get(p).i32Load(16).i32x4Splat().set(vvm);
      k.get(p).i32Load(20).set(go);
      k.get(go);
      byteOf(8);
      k.i32x4Splat().set(vmulA);
      k.get(go);
      byteOf(16);
      k.i32x4Splat().set(vmulB);
      k.get(go).i32(24).i32ShrU().tee(wn).i32(2).i32Shl().i32x4Splat().set(vwn4);
      k.get(base).i32x4Splat().set(vbase);
      k.get(p).i32(GROUP_HEAD_BYTES).i32Add().tee(fp).get(wn).i32(1).i32Shl().i32Add().set(fEnd);
      k.get(go).i32(255).i32And().set(m); // the sibling shift as a scalar
      k.i32(0).set(c);
      k.get(sumsAt).set(rowAt); // this chunk's rows in a feature's sums: sumsAt + 2c
      whileLt(c, cb, () => {
        // key lanes: ((a & vm) * mulA + ((b >>> shift) & mulB)) * wn * 4 + base
        k.get(va).get(c).i32Add().v128Load().get(vvm).v128And().get(vmulA).i32x4Mul();
        k.get(vb).get(c).i32Add().v128Load().get(m).i32x4ShrU().get(vmulB).v128And();
        k.i32x4Add().get(vwn4).i32x4Mul().get(vbase).i32x4Add().set(vx);
        k.get(vx).i32x4Lane(0).set(a0);
        k.get(vx).i32x4Lane(1).set(a1);
        k.get(vx).i32x4Lane(2).set(a2);
        k.get(vx).i32x4Lane(3).set(a3);
        k.get(fp).set(e);
        k.i32(0).set(w);
        whileLt(e, fEnd, () => {
          k.get(e).i32Load16U().get(sumStride).i32Mul().get(rowAt).i32Add().set(fa);
          // rows 0-1 and 2-3 of the chunk: two float32 entries promoted, added to two sums
          k.get(fa);
          k.get(fa).v128Load();
          k.get(a1).get(w).i32Add();
          k.get(a0).get(w).i32Add().v128Load32Zero().v128Load32Lane(1).f64x2PromoteLow();
          k.f64x2Add().v128Store();
          k.get(fa);
          k.get(fa).v128Load(16);
          k.get(a3).get(w).i32Add();
          k.get(a2).get(w).i32Add().v128Load32Zero().v128Load32Lane(1).f64x2PromoteLow();
          k.f64x2Add().v128Store(16);
          k.get(w).i32(4).i32Add().set(w);
          k.get(e).i32(2).i32Add().set(e);
        });
        k.get(rowAt).i32(32).i32Add().set(rowAt);
        k.get(c).i32(16).i32Add().set(c);
      });
      k.get(fEnd).i32(3).i32Add().i32(-4).i32And().set(p);
    });
    k.get(t).i32(TREE_BYTES).i32Add().set(t);
  });
  return {
    name: "explain",
    params: Array.from({ length: 7 }, (): ValType => I32),
    locals: [
      ...Array.from({ length: 24 }, (): ValType => I32),
      ...Array.from({ length: 11 }, (): ValType => V128),
    ],
    body: k,
  };
}

const api = wasmApi;
const shapModule = lazyModule(() => [explain()]);

export type Explain = (
  t: number,
  tEnd: number,
  chunks: number,
  xAt: number,
  slotAt: number,
  sharedAt: number,
  sumsAt: number,
) => void;

/** The kernel over a new memory of at least `bytes` bytes, or null where WebAssembly is not. */
export function shapKernel(bytes: number): { memory: WasmMemory; explain: Explain } | null {
  const mod = shapModule();
  const pages = Math.ceil(Math.max(bytes, 1) / 65536);
  if (!mod || !api || pages > 65536) return null;
  try {
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
    const inst = new api.Instance(mod, { env: { mem: memory } });
    return { memory, explain: inst.exports.explain as Explain };
  } catch {
    return null;
  }
}
