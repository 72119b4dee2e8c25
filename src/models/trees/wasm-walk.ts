/**
 * The forest specializer's kernel (forest-specializer.ts) in WebAssembly, assembled at load time
 * by the project's writer (models/wasm-assembler.ts), one module per row width: `scan` (which
 * columns all rows share, which hold NaN), `specialize` (the copy of the forest with the shared
 * splits resolved) and the walk of the specialised forest (rows without NaN where the trees
 * split), eight rows side by side, without the bounds checks:
 *
 *   walk4(rowsAt, rows4, t0, t1, rootsAt, depthAt, leafAt, sumsAt)
 *     rows4 rows (a multiple of WALK_LANES) at rowsAt + r * rowBytes (float32 values, rowBytes
 *     fixed per compiled module: walkKernel(bytes, cols)); for each tree t
 *     in [t0, t1): start at the record whose address is the int32 at rootsAt + 4t, step the
 *     int32 at depthAt + 4t times, then sums[r] (f64 at sumsAt + 8r) += the float32 leaf value
 *     at leafAt + record address / 4 (the caller places leafAt accordingly).
 *
 * A record is 16 bytes: feature x 4, threshold (f32), the left child's record address (the
 * right child follows), unused. A step goes to left + 16 * (x > threshold); a leaf has
 * threshold +Infinity and itself as left child, so it stays. Same leaves, same float32 values
 * added in the same tree order: the sums are bit-identical to the JavaScript walk.
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
  type WasmModule,
} from "../wasm-assembler.js";

export type { WasmMemory };

/** Rows that walk side by side (the caller pads the rows to a multiple of it). */
export const WALK_LANES = 8;

/**
 * The walk for rows of `rowBytes` bytes: lane l reads its row at b + l * rowBytes through the
 * load's constant offset, so the eight lanes share one row pointer (eight fewer live registers
 * than a pointer per lane; x86-64 has sixteen).
 */
function walk4(rowBytes: number): FuncDef {
  const L = WALK_LANES;
  const [rowsAt, rows4, t, t1, rootsAt, depthAt, leafAt, sumsAt] = [0, 1, 2, 3, 4, 5, 6, 7];
  const nParams = 8;
  const [root, steps, r, d, b, s] = [8, 9, 10, 11, 12, 13];
  const i = Array.from({ length: L }, (_, l) => 14 + l);
  const k = new Code();
  k.block();
  k.get(t).get(t1).i32GeU().brIf(0);
  k.loop();
  k.get(rootsAt).get(t).i32(2).i32Shl().i32Add().i32Load().set(root);
  k.get(depthAt).get(t).i32(2).i32Shl().i32Add().i32Load().set(steps);
  k.i32(0).set(r);
  k.get(rowsAt).set(b);
  k.get(sumsAt).set(s);
  k.block();
  k.get(r).get(rows4).i32GeU().brIf(0);
  k.loop();
  for (let l = 0; l < L; l++) k.get(root).set(i[l]);
  k.i32(0).set(d);
  k.block();
  k.get(d).get(steps).i32GeU().brIf(0);
  k.loop();
  for (let l = 0; l < L; l++) {
    // i = left + ((x > threshold) << 4)
    k.get(i[l]).i32Load(8);
    k.get(b)
      .get(i[l])
      .i32Load(0)
      .i32Add()
      .f32Load(l * rowBytes);
    k.get(i[l]).f32Load(4);
    k.f32Gt().i32(4).i32Shl().i32Add().set(i[l]);
  }
  k.get(d).i32(1).i32Add().tee(d).get(steps).i32LtU().brIf(0);
  k.end();
  k.end();
  for (let l = 0; l < L; l++) {
    k.get(s)
      .get(s)
      .f64Load(8 * l);
    k.get(leafAt).get(i[l]).i32(2).i32ShrU().i32Add().f32Load();
    k.f64PromoteF32()
      .f64Add()
      .f64Store(8 * l);
  }
  k.get(b)
    .i32(L * rowBytes)
    .i32Add()
    .set(b);
  k.get(s)
    .i32(8 * L)
    .i32Add()
    .set(s);
  k.get(r).i32(L).i32Add().tee(r).get(rows4).i32LtU().brIf(0);
  k.end();
  k.end();
  k.get(t).i32(1).i32Add().tee(t).get(t1).i32LtU().brIf(0);
  k.end();
  k.end();
  return {
    name: "walk4",
    params: Array.from({ length: nParams }, (): ValType => I32),
    locals: Array.from({ length: 6 + L }, (): ValType => I32),
    body: k,
  };
}

/**
 * scan(rowsAt, rows, vecs, eqAt, nanAt): for the columns of `rows` rows at rowsAt (rowBytes
 * apart), four at a time (vecs groups): the int32 at eqAt + 4c is all ones when column c has
 * the same bits in every row (0 otherwise), the int32 at nanAt + 4c all ones when column c is
 * NaN in some row. (The last group may read past the last column: those lanes are not read.)
 */
function scan(rowBytes: number): FuncDef {
  const [rowsAt, rows, vecs, eqAt, nanAt] = [0, 1, 2, 3, 4];
  const [v, p, q, r] = [5, 6, 7, 8];
  const [x0, eq, nan, x] = [9, 10, 11, 12];
  const k = new Code();
  k.i32(0).set(v);
  k.block();
  k.get(v).get(vecs).i32GeU().brIf(0);
  k.loop();
  k.get(rowsAt).get(v).i32(4).i32Shl().i32Add().tee(p).v128Load().set(x0);
  k.get(x0).get(x0).i32x4Eq().set(eq);
  k.get(x0).get(x0).f32x4Ne().set(nan);
  k.i32(1).set(r);
  k.get(p).set(q);
  k.block();
  k.get(r).get(rows).i32GeU().brIf(0);
  k.loop();
  k.get(q).i32(rowBytes).i32Add().tee(q).v128Load().set(x);
  k.get(eq).get(x).get(x0).i32x4Eq().v128And().set(eq);
  k.get(nan).get(x).get(x).f32x4Ne().v128Or().set(nan);
  k.get(r).i32(1).i32Add().tee(r).get(rows).i32LtU().brIf(0);
  k.end();
  k.end();
  k.get(eqAt).get(v).i32(4).i32Shl().i32Add().get(eq).v128Store();
  k.get(nanAt).get(v).i32(4).i32Shl().i32Add().get(nan).v128Store();
  k.get(v).i32(1).i32Add().tee(v).get(vecs).i32LtU().brIf(0);
  k.end();
  k.end();
  return {
    name: "scan",
    params: [I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, V128, V128, V128, V128],
    body: k,
  };
}

/** The feature slot of a leaf in specialize's source records. */
export const LEAF_FEATURE = -1;

/**
 * specialize(valsAt, srcRootsAt, t0, t1, eqAt, leafAt, rootsAt, depthAt, stackAt): the forest
 * specializer's copy (ForestSpecializer.specialize, same records in the same order) in
 * WebAssembly. Source records (16 bytes): feature x 4 or -1 for a leaf, threshold (a leaf's
 * value for a leaf), the left child's byte address (the right child follows), 1 = NaN goes
 * right; tree t's root at the int32 srcRootsAt + 4t. A split whose column's int32 at
 * eqAt + feature x 4 is non-zero (shared by the batch) is resolved with the row at valsAt.
 * The specialised records go from address 0 on in the walk's format, their leaf values at
 * leafAt + record address / 4, roots and depths at rootsAt + 4t and depthAt + 4t; stackAt has
 * room for 12 bytes per level of the deepest tree, plus one.
 */
function specialize(): FuncDef {
  const [valsAt, srcRootsAt, t, t1, eqAt, leafAt, rootsAt, depthAt, stackAt] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8,
  ];
  const [o, sp, dst, from, level, deepest, f, pair, bit] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const k = new Code();
  k.i32(0).set(o);
  k.block();
  k.get(t).get(t1).i32GeU().brIf(0);
  k.loop(); // trees
  k.get(rootsAt).get(t).i32(2).i32Shl().i32Add().get(o).i32Store();
  k.get(stackAt).set(sp);
  k.get(sp).get(o).i32Store(0);
  k.get(sp).get(srcRootsAt).get(t).i32(2).i32Shl().i32Add().i32Load().i32Store(4);
  k.get(sp).i32(0).i32Store(8);
  k.get(sp).i32(12).i32Add().set(sp);
  k.get(o).i32(16).i32Add().set(o);
  k.i32(0).set(deepest);
  k.block(); // stack empty
  k.loop(); // pop
  k.get(sp).i32(12).i32Sub().tee(sp).i32Load(0).set(dst);
  k.get(sp).i32Load(4).set(from);
  k.get(sp).i32Load(8).set(level);
  // through the shared splits: from = left + 16 * (x > thr | !(x <= thr) & nanRight)
  k.block();
  k.loop();
  k.get(from).i32Load(0).tee(f).i32(LEAF_FEATURE).i32Eq().brIf(1);
  k.get(eqAt).get(f).i32Add().i32Load().i32Eqz().brIf(1);
  k.get(valsAt).get(f).i32Add().f32Load().get(from).f32Load(4).f32Gt();
  k.get(valsAt).get(f).i32Add().f32Load().get(from).f32Load(4).f32Le().i32(1).i32Xor();
  k.get(from).i32Load(12).i32And().i32Or().set(bit);
  k.get(from).i32Load(8).get(bit).i32(4).i32Shl().i32Add().set(from);
  k.br(0);
  k.end();
  k.end();
  k.block(); // split
  k.get(f).i32(LEAF_FEATURE).i32Eq().i32Eqz().brIf(0);
  // a leaf: column 0 against +Infinity, itself as left child; its value beside
  k.get(dst).i32(0).i32Store(0);
  k.get(dst).i32(0x7f800000).i32Store(4);
  k.get(dst).get(dst).i32Store(8);
  k.get(dst).i32(0).i32Store(12);
  k.get(leafAt).get(dst).i32(2).i32ShrU().i32Add().get(from).i32Load(4).i32Store();
  k.block();
  k.get(deepest).get(level).i32GeU().brIf(0);
  k.get(level).set(deepest);
  k.end();
  k.get(stackAt).get(sp).i32LtU().brIf(1); // pop the next
  k.br(2); // the tree is done
  k.end();
  // a split: its sibling pair next, the left subtree popped (laid out) first
  k.get(o).set(pair);
  k.get(o).i32(32).i32Add().set(o);
  k.get(dst).get(f).i32Store(0);
  k.get(dst).get(from).i32Load(4).i32Store(4);
  k.get(dst).get(pair).i32Store(8);
  k.get(dst).get(from).i32Load(12).i32Store(12);
  k.get(sp).get(pair).i32(16).i32Add().i32Store(0);
  k.get(sp).get(from).i32Load(8).i32(16).i32Add().i32Store(4);
  k.get(sp).get(level).i32(1).i32Add().i32Store(8);
  k.get(sp).get(pair).i32Store(12);
  k.get(sp).get(from).i32Load(8).i32Store(16);
  k.get(sp).get(level).i32(1).i32Add().i32Store(20);
  k.get(sp).i32(24).i32Add().set(sp);
  k.br(0);
  k.end(); // pop
  k.end(); // stack empty
  k.get(depthAt).get(t).i32(2).i32Shl().i32Add().get(deepest).i32Store();
  k.get(t).i32(1).i32Add().tee(t).get(t1).i32LtU().brIf(0);
  k.end(); // trees
  k.end();
  return {
    name: "specialize",
    params: Array.from({ length: 9 }, (): ValType => I32),
    locals: Array.from({ length: 9 }, (): ValType => I32),
    body: k,
  };
}

const api = wasmApi;
/** The compiled walk per row width (a server scores one width). */
const walkModules = new Map<number, () => WasmModule | null>();

export type Walk4 = (
  rowsAt: number,
  rows4: number,
  t0: number,
  t1: number,
  rootsAt: number,
  depthAt: number,
  leafAt: number,
  sumsAt: number,
) => void;

export type Scan = (
  rowsAt: number,
  rows: number,
  vecs: number,
  eqAt: number,
  nanAt: number,
) => void;

export type Specialize = (
  valsAt: number,
  srcRootsAt: number,
  t0: number,
  t1: number,
  eqAt: number,
  leafAt: number,
  rootsAt: number,
  depthAt: number,
  stackAt: number,
) => void;

/** The module's functions over one memory. */
export interface WalkKernel {
  memory: WasmMemory;
  walk4: Walk4;
  scan: Scan;
  specialize: Specialize;
}

/**
 * The kernel for rows of `cols` float32 values over a new memory of at least `bytes` bytes, or
 * null where WebAssembly is not.
 */
export function walkKernel(bytes: number, cols: number): WalkKernel | null {
  let lazy = walkModules.get(cols);
  if (!lazy) {
    lazy = lazyModule(() => [walk4(cols * 4), scan(cols * 4), specialize()]);
    walkModules.set(cols, lazy);
  }
  const mod = lazy();
  const pages = Math.ceil(Math.max(bytes, 1) / 65536);
  if (!mod || !api || pages > 65536) return null;
  try {
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
    const inst = new api.Instance(mod, { env: { mem: memory } });
    const e = inst.exports;
    return {
      memory,
      walk4: e.walk4 as Walk4,
      scan: e.scan as Scan,
      specialize: e.specialize as Specialize,
    };
  } catch {
    return null;
  }
}
