/**
 * SharedSubset's per-row loops (shared-subset.ts) in WebAssembly, assembled at load time by the
 * project's writer (models/wasm-assembler.ts): the same arithmetic without JavaScript's
 * bounds checks and loop overheads, on data in one shared memory addressed by byte offsets.
 *
 *   vary(p, pEnd, rows, rowBytes, rowsAt, slotAt)
 *     the varying splits' records [p, pEnd) (24 bytes: feature x 4, threshold (f32), default
 *     left, pattern bit, source slot, left slot): for each row r (its values at
 *     rowsAt + r * rowBytes), the two child slots' patterns from the source slot's, as
 *     SharedSubset.explain. Slot s of row r is the int32 at slotAt + (s * rows + r) * 4; slot 0
 *     is set to all bits first.
 *
 *   groups(q, qEnd, rows, slotAt, sumsAt, sharedAt, rowStride)
 *     the groups' records [q, qEnd) (64 bytes: slot a, slot b, varying mask, sibling shift,
 *     multipliers of a's key and b's bit, wanted count, byte offset of the wanted features'
 *     list; then the shared key's inputs — byte offsets of leaf a's and b's shared slots
 *     (at sharedAt), shift, multiplier, sibling shift and mask — bytes per shared key and the
 *     table's byte offset): the group's slice from the shared key, then for each row the key, and for each wanted feature (its list holds f * 8) the f64 at
 *     sumsAt + r * rowStride + f * 8 += the float32 entry. Groups of 1-4 wanted features (most)
 *     have straight-line bodies. Each sum gets its adds in group order, as in JavaScript:
 *     bit-identical.
 */
import {
  Code,
  type FuncDef,
  I32,
  lazyModule,
  type ValType,
  wasmApi,
  type WasmMemory,
} from "../wasm-assembler.js";

export type { WasmMemory };

/** Bytes per varying-split record and per group record. */
export const VARY_BYTES = 24;
export const GROUP_BYTES = 64;

function vary(): FuncDef {
  const [p, pEnd, rows, rowBytes, rowsAt, slotAt] = [0, 1, 2, 3, 4, 5];
  const [dl, bit, so, lo, ro, x, go, m, end, rb4] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const k = new Code();
  // rb4 = rows * 4; slot 0 of every row = all bits
  k.get(rows).i32(2).i32Shl().set(rb4);
  k.get(slotAt).set(x);
  k.get(slotAt).get(rb4).i32Add().set(end);
  k.block();
  k.get(x).get(end).i32GeU().brIf(0);
  k.loop();
  k.get(x).i32(-1).i32Store();
  k.get(x).i32(4).i32Add().tee(x).get(end).i32LtU().brIf(0);
  k.end();
  k.end();
  k.block();
  k.get(p).get(pEnd).i32GeU().brIf(0);
  k.loop();
  k.get(p).i32Load(8).set(dl);
  k.get(p).i32Load(12).set(bit);
  k.get(slotAt).get(p).i32Load(16).get(rb4).i32Mul().i32Add().set(so);
  k.get(slotAt).get(p).i32Load(20).get(rb4).i32Mul().i32Add().tee(lo).get(rb4).i32Add().set(ro);
  // x: address of the row's value; end: lo + rows * 4
  k.get(rowsAt).get(p).i32Load(0).i32Add().set(x);
  k.get(lo).get(rb4).i32Add().set(end);
  k.block();
  k.get(lo).get(end).i32GeU().brIf(0);
  k.loop();
  // go = (x <= t) | ((1 - (x > t)) & dl)   (1 = left; NaN takes the default side)
  k.get(x).f32Load().get(p).f32Load(4).f32Le();
  k.i32(1).get(x).f32Load().get(p).f32Load(4).f32Gt().i32Sub().get(dl).i32And();
  k.i32Or().set(go);
  k.get(so).i32Load().set(m);
  // left: m & ~(bit * (1 - go)); right: m & ~(bit * go)
  k.get(lo).get(m).get(bit).i32(1).get(go).i32Sub().i32Mul().i32(-1).i32Xor().i32And().i32Store();
  k.get(ro).get(m).get(bit).get(go).i32Mul().i32(-1).i32Xor().i32And().i32Store();
  k.get(so).i32(4).i32Add().set(so);
  k.get(ro).i32(4).i32Add().set(ro);
  k.get(x).get(rowBytes).i32Add().set(x);
  k.get(lo).i32(4).i32Add().tee(lo).get(end).i32LtU().brIf(0);
  k.end();
  k.end();
  k.get(p).i32(VARY_BYTES).i32Add().tee(p).get(pEnd).i32LtU().brIf(0);
  k.end();
  k.end();
  return {
    name: "vary",
    params: Array.from({ length: 6 }, (): ValType => I32),
    locals: Array.from({ length: 10 }, (): ValType => I32),
    body: k,
  };
}

function groups(): FuncDef {
  const [q, qEnd, rows, slotAt, sumsAt, sharedAt, rowStride] = [0, 1, 2, 3, 4, 5, 6];
  const [sa, sb, vm, shift, mulA, mulB, wn4, fp, base, r, kk, w, so, fEnd, rowAt] = [
    7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
  ];
  const f = [22, 23, 24, 25];
  const k = new Code();
  /** The row loop: kk = the row's entries, rowAt = its sums; body adds the entries. */
  const rowLoop = (body: () => void) => {
    k.i32(0).set(r);
    k.get(sumsAt).set(rowAt);
    k.block();
    k.get(r).get(rows).i32GeU().brIf(0);
    k.loop();
    // kk = base + key * wn * 4, key = (slotA & vm) * mulA + ((slotB >>> shift) & mulB)
    k.get(sa).i32Load().get(vm).i32And().get(mulA).i32Mul();
    k.get(sb).i32Load().get(shift).i32ShrU().get(mulB).i32And();
    k.i32Add().get(wn4).i32Mul().get(base).i32Add().set(kk);
    body();
    k.get(sa).i32(4).i32Add().set(sa);
    k.get(sb).i32(4).i32Add().set(sb);
    k.get(rowAt).get(rowStride).i32Add().set(rowAt);
    k.get(r).i32(1).i32Add().tee(r).get(rows).i32LtU().brIf(0);
    k.end();
    k.end();
  };
  /** sums[row][feature at local fl] += entry j of the row's slice. */
  const add = (fl: number, j: number) => {
    k.get(rowAt).get(fl).i32Add().tee(so);
    k.get(so)
      .f64Load()
      .get(kk)
      .f32Load(4 * j)
      .f64PromoteF32()
      .f64Add()
      .f64Store();
  };
  k.block();
  k.get(q).get(qEnd).i32GeU().brIf(0);
  k.loop();
  k.get(slotAt).get(q).i32Load(0).get(rows).i32Mul().i32(2).i32Shl().i32Add().set(sa);
  k.get(slotAt).get(q).i32Load(4).get(rows).i32Mul().i32(2).i32Shl().i32Add().set(sb);
  k.get(q).i32Load(8).set(vm);
  k.get(q).i32Load(12).set(shift);
  k.get(q).i32Load(16).set(mulA);
  k.get(q).i32Load(20).set(mulB);
  k.get(q).i32Load(24).i32(2).i32Shl().set(wn4);
  k.get(q).i32Load(28).tee(fp).get(wn4).i32Add().set(fEnd);
  // base = slice + shared key * bytes per key, shared key = ((shared slot a >>> 1) >>>
  // sShift) * sMul + ((shared slot b >>> sibShift) & sibBit)
  k.get(sharedAt).get(q).i32Load(32).i32Add().i32Load().i32(1).i32ShrU();
  k.get(q).i32Load(40).i32ShrU().get(q).i32Load(44).i32Mul();
  k.get(sharedAt).get(q).i32Load(36).i32Add().i32Load().get(q).i32Load(48).i32ShrU();
  k.get(q).i32Load(52).i32And().i32Add();
  k.get(q).i32Load(56).i32Mul().get(q).i32Load(60).i32Add().set(base);
  // the first four wanted features' byte offsets within a row of sums
  for (let j = 0; j < 4; j++)
    k.get(fp)
      .i32Load(4 * j)
      .set(f[j]);
  // one straight-line body per count 1..4 (most groups), a loop beyond
  k.block(); // done
  k.block(); // 4
  k.block(); // 3
  k.block(); // 2
  k.block(); // 1
  for (let j = 1; j <= 4; j++)
    k.get(wn4)
      .i32(4 * j)
      .i32Eq()
      .brIf(j - 1);
  rowLoop(() => {
    k.get(fp).set(w);
    k.loop();
    k.get(rowAt).get(w).i32Load().i32Add().tee(so);
    k.get(so).f64Load().get(kk).f32Load().f64PromoteF32().f64Add().f64Store();
    k.get(kk).i32(4).i32Add().set(kk);
    k.get(w).i32(4).i32Add().tee(w).get(fEnd).i32LtU().brIf(0);
    k.end();
  });
  k.br(4);
  k.end(); // 1
  rowLoop(() => add(f[0], 0));
  k.br(3);
  k.end(); // 2
  rowLoop(() => {
    add(f[0], 0);
    add(f[1], 1);
  });
  k.br(2);
  k.end(); // 3
  rowLoop(() => {
    add(f[0], 0);
    add(f[1], 1);
    add(f[2], 2);
  });
  k.br(1);
  k.end(); // 4
  rowLoop(() => {
    add(f[0], 0);
    add(f[1], 1);
    add(f[2], 2);
    add(f[3], 3);
  });
  k.end(); // done
  k.get(q).i32(GROUP_BYTES).i32Add().tee(q).get(qEnd).i32LtU().brIf(0);
  k.end();
  k.end();
  return {
    name: "groups",
    params: Array.from({ length: 7 }, (): ValType => I32),
    locals: Array.from({ length: 19 }, (): ValType => I32),
    body: k,
  };
}

const api = wasmApi;
const shapModule = lazyModule(() => [vary(), groups()]);

export type Vary = (
  p: number,
  pEnd: number,
  rows: number,
  rowBytes: number,
  rowsAt: number,
  slotAt: number,
) => void;
export type Groups = (
  q: number,
  qEnd: number,
  rows: number,
  slotAt: number,
  sumsAt: number,
  sharedAt: number,
  rowStride: number,
) => void;

/** The kernels over a new memory of at least `bytes` bytes, or null where WebAssembly is not. */
export function shapKernel(
  bytes: number,
): { memory: WasmMemory; vary: Vary; groups: Groups } | null {
  const mod = shapModule();
  const pages = Math.ceil(Math.max(bytes, 1) / 65536);
  if (!mod || !api || pages > 65536) return null;
  try {
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
    const inst = new api.Instance(mod, { env: { mem: memory } });
    return { memory, vary: inst.exports.vary as Vary, groups: inst.exports.groups as Groups };
  } catch {
    return null;
  }
}
