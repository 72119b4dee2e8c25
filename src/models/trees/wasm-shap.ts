/**
 * SharedSubset's explain (shared-subset.ts) in WebAssembly SIMD, assembled at load time by the
 * project's writer (models/wasm-assembler.ts). One call explains all rows of a list over all
 * trees, four rows per vector: the rows sit side by side in every vector (feature values,
 * patterns, sums), so a split's test, a group's table key and a feature's sum update are one
 * instruction for four rows instead of four trips through a scalar loop.
 *
 *   explain(t, tEnd, chunks, xAt, slotAt, sharedAt, sumsAt, keysAt, keysB, touchAt, patAt)
 *
 * Rows come in `chunks` groups of four (a list of 10 rows is 3 chunks; callers pad with copies
 * of row 0, which read the same table entries). With cb = chunks * 16:
 *   - values:  feature f of row r is the f32 at xAt + f * cb + r * 4 (feature-major);
 *   - varying patterns: slot s of row r is the i32 at slotAt + s * cb + r * 4;
 *   - shared patterns (one row: every row has them): slot s is the i32 at sharedAt + s * 4;
 *   - sums: feature f of row r is the f64 at sumsAt + f * 2 * cb + r * 8; explain adds to them;
 *   - scratch: keysAt and keysB (the rows' entry addresses of a tree's groups, two trees'
 *     worth), touchAt (a tree's touch list, 16 bytes spare), patAt (touchPatterns()).
 *
 * The tables' metadata is one forward stream, tree by tree, packed small (a cold list streams
 * it in from memory; on the ml-latest-small gbdt ~120 KB):
 *   tree record (16 bytes, [t, tEnd)): byte addresses of the tree's shared splits, its
 *     varying splits, its groups and their end (each starts where the one before ends);
 *   split record (8 bytes): threshold (f32), feature (u8), pattern bit position | default left
 *     << 7 (u8), source slot (u8), left slot (u8; the right child's slot follows);
 *   group record (16 bytes + 1 per wanted feature, padded to 4): table byte offset (i32),
 *     entries per shared key (u16), varying mask (u16), leaf a's and b's shared slots and
 *     varying slots (u8 each), sibling shift | mask of b's bit << 5 | (multiplier of a's key
 *     - 1) << 6 (u8), wanted count (u8), shared shift (31 - shared bits) | (shared key
 *     multiplier - 1) << 5 (u8), shared sibling shift | its mask << 5 (u8), then the wanted
 *     features (u8 each).
 *
 * Per tree: the shared splits for row 0 (scalar), the varying splits for all rows (vector),
 * then the groups in three passes:
 *   1. per group the shared key (scalar, once) and each row's entry address (vector), kept in
 *      the keys buffer; each address on a cache line other than the one before also goes to
 *      the touch list;
 *   2. one load per touch-list address: independent loads close together, so a cold list's
 *      misses are in flight at once rather than one at a time behind pass 3's arithmetic;
 *   3. run for the tree before (software pipelining: this tree's lines arrive meanwhile): per
 *      group, chunk and wanted feature, the rows' float32 entries added to their f64 sums.
 * Each sum gets its adds in group order, as in SharedSubset's JavaScript loops: bit-identical.
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
export const SPLIT_BYTES = 8;
export const GROUP_HEAD_BYTES = 16;

/** A group record's length for `wanted` features. */
export function groupBytes(wanted: number): number {
  return (GROUP_HEAD_BYTES + wanted + 3) & ~3;
}

/** i8x16.shuffle bytes of (a, b) giving [a's lane 3, b's lanes 0-2]: each lane's predecessor. */
const PREVIOUS_LANES = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];

/**
 * The touch list's compaction patterns, 16 bytes per 4-bit mask: i8x16.swizzle bytes that move
 * the int32 lanes whose bit is set to the front, in order (the rest zero).
 */
export function touchPatterns(): Uint8Array {
  const out = new Uint8Array(256).fill(0x80);
  for (let mask = 0; mask < 16; mask++) {
    let to = 0;
    for (let lane = 0; lane < 4; lane++) {
      if (((mask >> lane) & 1) === 0) continue;
      for (let b = 0; b < 4; b++) out[mask * 16 + to * 4 + b] = lane * 4 + b;
      to++;
    }
  }
  return out;
}

function explain(): FuncDef {
  const [t, tEnd, chunks, xAt, slotAt, sharedAt, sumsAt, keysAt, keysB, touchAt, patAt] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ];
  const locals: ValType[] = [];
  const local = (type: ValType) => locals.push(type) + 10;
  const [cb, sumStride, p, pEnd, gAt, w, go, four, la, c, sa, xa, va, vb, base, wn] = Array.from(
    { length: 16 },
    () => local(I32),
  );
  const [fp, fEnd, e, fa, a0, a1, a2, a3, rowAt, ka, touched, pgAt, pgEnd, pKa] = Array.from(
    { length: 14 },
    () => local(I32),
  );
  const fo = [local(I32), local(I32), local(I32), local(I32)];
  const tp = local(I32);
  const [vthr, vbit, vdl, vx, vgo, vm, vvm, vmulA, vmulB, vwn4, vbase, vprev] = Array.from(
    { length: 12 },
    () => local(V128),
  );
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
  /** Pushes bits [shift, shift + width) of local x. */
  const bits = (x: number, shift: number, width: number) => {
    k.get(x);
    if (shift > 0) k.i32(shift).i32ShrU();
    if (shift + width < 32) k.i32((1 << width) - 1).i32And();
  };
  /** Pushes at + (byte `b` of local w) * local scale: the address of that slot. */
  const slotAddr = (b: number, at: number, scale: number) => {
    k.get(at);
    bits(w, 8 * b, 8);
    k.get(scale).i32Mul().i32Add();
  };
  /** p = the group record after the one at p (its wanted count is byte 13). */
  const nextGroup = () => {
    k.get(p).i32Load8U(13).get(p).i32Add();
    k.i32(GROUP_HEAD_BYTES + 3)
      .i32Add()
      .i32(-4)
      .i32And()
      .set(p);
  };
  /** sums[rows of the chunk][feature whose sums start at local fo] += the rows' entry j. */
  const addFeature = (fo: number, j: number) => {
    k.get(fo).get(rowAt).i32Add().set(fa);
    // rows 0-1 and 2-3 of the chunk: two float32 entries promoted, added to two sums
    k.get(fa);
    k.get(fa).v128Load();
    k.get(a1);
    k.get(a0)
      .v128Load32Zero(4 * j)
      .v128Load32Lane(1, 4 * j)
      .f64x2PromoteLow();
    k.f64x2Add().v128Store();
    k.get(fa);
    k.get(fa).v128Load(16);
    k.get(a3);
    k.get(a2)
      .v128Load32Zero(4 * j)
      .v128Load32Lane(1, 4 * j)
      .f64x2PromoteLow();
    k.f64x2Add().v128Store(16);
  };
  /** For each chunk of rows: its entry addresses into a0..a3 (from ka), then body. */
  const chunkLoop = (body: () => void) => {
    k.i32(0).set(c);
    k.get(sumsAt).set(rowAt); // this chunk's rows in a feature's sums: sumsAt + 2c
    whileLt(c, cb, () => {
      k.get(ka).i32Load(0).set(a0);
      k.get(ka).i32Load(4).set(a1);
      k.get(ka).i32Load(8).set(a2);
      k.get(ka).i32Load(12).set(a3);
      body();
      k.get(ka).i32(16).i32Add().set(ka);
      k.get(rowAt).i32(32).i32Add().set(rowAt);
      k.get(c).i32(16).i32Add().set(c);
    });
  };
  /**
   * Pass 3 of the tree whose groups are [pgAt, pgEnd) and entry addresses at pKa: per group and
   * chunk, per wanted feature, the rows' float32 entries into their sums. Groups of 1-4 wanted
   * features (nearly all) have straight-line bodies, a loop beyond.
   */
  const addEntries = () => {
    k.get(pgAt).set(p);
    k.get(pgEnd).set(pEnd);
    k.get(pKa).set(ka);
    whileLt(p, pEnd, () => {
      k.get(p).i32(GROUP_HEAD_BYTES).i32Add().set(fp);
      k.get(p).i32Load8U(13).set(wn);
      // the first four features' sums (past the count: unused)
      for (let j = 0; j < 4; j++) k.get(fp).i32Load8U(j).get(sumStride).i32Mul().set(fo[j]);
      k.block(); // done
      k.block(); // more than 4
      k.block(); // 4
      k.block(); // 3
      k.block(); // 2
      k.block(); // 1
      for (let j = 1; j <= 4; j++)
        k.get(wn)
          .i32(j)
          .i32Eq()
          .brIf(j - 1);
      k.br(4);
      for (let n = 1; n <= 4; n++) {
        k.end();
        chunkLoop(() => {
          for (let j = 0; j < n; j++) addFeature(fo[j], j);
        });
        k.br(5 - n);
      }
      k.end(); // more than 4
      k.get(fp).get(wn).i32Add().set(fEnd);
      chunkLoop(() => {
        k.get(fp).set(e);
        k.i32(0).set(w);
        whileLt(e, fEnd, () => {
          k.get(e).i32Load8U().get(sumStride).i32Mul().set(fa);
          k.get(a0).get(w).i32Add().set(a0);
          k.get(a1).get(w).i32Add().set(a1);
          k.get(a2).get(w).i32Add().set(a2);
          k.get(a3).get(w).i32Add().set(a3);
          addFeature(fa, 0);
          k.get(a0).get(w).i32Sub().set(a0);
          k.get(a1).get(w).i32Sub().set(a1);
          k.get(a2).get(w).i32Sub().set(a2);
          k.get(a3).get(w).i32Sub().set(a3);
          k.get(w).i32(4).i32Add().set(w);
          k.get(e).i32(1).i32Add().set(e);
        });
      });
      k.end(); // done
      nextGroup();
    });
  };
  k.get(chunks).i32(4).i32Shl().set(cb);
  k.get(cb).i32(1).i32Shl().set(sumStride);
  k.i32(4).set(four);
  whileLt(t, tEnd, () => {
    // shared splits, row 0 only: shared slot 0 = all bits
    k.get(sharedAt).i32(-1).i32Store();
    k.get(t).i32Load(0).set(p);
    k.get(t).i32Load(4).set(pEnd);
    whileLt(p, pEnd, () => {
      k.get(p).i32Load(4).set(w);
      slotAddr(0, xAt, cb);
      k.set(xa);
      // go = (x <= thr) | ((1 - (x > thr)) & dl): 1 = left; NaN takes the default side
      k.get(xa).f32Load().get(p).f32Load(0).f32Le();
      k.i32(1).get(xa).f32Load().get(p).f32Load(0).f32Gt().i32Sub();
      bits(w, 15, 1);
      k.i32And().i32Or().set(go);
      slotAddr(2, sharedAt, four);
      k.i32Load().set(c);
      slotAddr(3, sharedAt, four);
      k.set(la);
      // left: m & ~(bit * (1 - go)); right: m & ~(bit * go)
      k.get(la).get(c).i32(1);
      bits(w, 8, 5);
      k.i32Shl().tee(w);
      k.i32(1).get(go).i32Sub().i32Mul().i32(-1).i32Xor().i32And().i32Store();
      k.get(la).get(c).get(w).get(go).i32Mul().i32(-1).i32Xor().i32And().i32Store(4);
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
      k.get(p).i32Load(4).set(w);
      slotAddr(0, xAt, cb);
      k.set(xa);
      k.get(p).f32Load(0).f32x4Splat().set(vthr);
      slotAddr(2, slotAt, cb);
      k.set(sa);
      slotAddr(3, slotAt, cb);
      k.set(la);
      k.i32(1);
      bits(w, 8, 5);
      k.i32Shl().i32x4Splat().set(vbit);
      k.i32(0);
      bits(w, 15, 1);
      k.i32Sub().i32x4Splat().set(vdl);
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
    // groups, pass 1: every row's entry address (byte) into keys, four rows per vector
    k.get(p).set(gAt);
    k.get(t).i32Load(12).set(pEnd);
    k.get(keysAt).set(ka);
    k.get(touchAt).set(tp);
    k.i32(-1).i32x4Splat().set(vprev); // (lane 3: the line touched last)
    whileLt(p, pEnd, () => {
      // base = table + shared key * bytes per key; shared key = ((shared a >>> 1) >>>
      // sShift) * sMul + ((shared b >>> sibShift) & sibMask)
      k.get(p).i32Load(8).set(w);
      k.get(p).i32Load(12).set(go);
      slotAddr(0, sharedAt, four);
      k.i32Load().i32(1).i32ShrU();
      bits(go, 16, 5);
      k.i32ShrU();
      bits(go, 21, 1);
      k.i32(1).i32Add().i32Mul();
      slotAddr(1, sharedAt, four);
      k.i32Load();
      bits(go, 24, 5);
      k.i32ShrU();
      bits(go, 29, 1);
      k.i32And().i32Add();
      k.get(p).i32Load(4).i32(0xffff).i32And().i32(2).i32Shl().i32Mul();
      k.get(p).i32Load(0).i32Add().set(base);
      slotAddr(2, slotAt, cb);
      k.set(va);
      slotAddr(3, slotAt, cb);
      k.set(vb);
      k.get(p).i32Load(4).i32(16).i32ShrU().i32x4Splat().set(vvm);
      bits(go, 6, 1);
      k.i32(1).i32Add().i32x4Splat().set(vmulA);
      bits(go, 5, 1);
      k.i32x4Splat().set(vmulB);
      bits(go, 8, 8);
      k.i32(2).i32Shl().i32x4Splat().set(vwn4);
      k.get(base).i32x4Splat().set(vbase);
      bits(go, 0, 5);
      k.set(wn); // (here: the sibling shift)
      k.i32(0).set(c);
      whileLt(c, cb, () => {
        // ((a & vm) * mulA + ((b >>> shift) & mulB)) * wn * 4 + base
        k.get(ka);
        k.get(va).get(c).i32Add().v128Load().get(vvm).v128And().get(vmulA).i32x4Mul();
        k.get(vb).get(c).i32Add().v128Load().get(wn).i32x4ShrU().get(vmulB).v128And();
        k.i32x4Add().get(vwn4).i32x4Mul().get(vbase).i32x4Add().tee(vx).v128Store();
        // the touch list: each address whose cache line differs from the one before (in
        // lane order), moved to the front of a vector by the byte pattern of its lanes' mask
        k.get(vx).i32(6).i32x4ShrU().set(vgo);
        k.get(tp).get(vx);
        k.get(vgo).get(vprev).get(vgo).i8x16Shuffle(PREVIOUS_LANES).i32x4Ne().i32x4Bitmask();
        k.tee(a1).i32(4).i32Shl().get(patAt).i32Add().v128Load().i8x16Swizzle().v128Store();
        k.get(a1).i32Popcnt().i32(2).i32Shl().get(tp).i32Add().set(tp);
        k.get(vgo).set(vprev);
        k.get(ka).i32(16).i32Add().set(ka);
        k.get(c).i32(16).i32Add().set(c);
      });
      nextGroup();
    });
    // pass 2: touch the entries' cache lines. These loads are independent and close together,
    // so the cache misses of a cold list overlap (in pass 3 each miss would wait behind a whole
    // group's arithmetic); the list skips repeats of a line (rows of a list often share a key),
    // so that more distinct lines fit the processor's window of loads in flight.
    k.get(touchAt).set(c);
    whileLt(c, tp, () => {
      k.get(touched).get(c).i32Load().i32Load().i32Xor().set(touched);
      k.get(c).i32(4).i32Add().set(c);
    });
    // pass 3 of the tree before, whose entries pass 2 touched a tree ago (software
    // pipelining: this tree's misses arrive while that tree's adds run)
    k.get(pEnd).set(base); // (addEntries moves p and pEnd)
    addEntries(); // (none before the first tree: pgAt = pgEnd = 0)
    k.get(gAt).set(pgAt);
    k.get(base).set(pgEnd);
    k.get(keysAt).set(pKa);
    // swap the key buffers
    k.get(keysAt).get(keysB).set(keysAt).set(keysB);
    k.get(t).i32(TREE_BYTES).i32Add().set(t);
  });
  addEntries();
  k.get(touched);
  return {
    name: "explain",
    params: Array.from({ length: 11 }, (): ValType => I32),
    results: [I32],
    locals,
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
  keysAt: number,
  keysB: number,
  touchAt: number,
  patAt: number,
) => number;

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
