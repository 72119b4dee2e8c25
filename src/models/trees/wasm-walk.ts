/**
 * The forest specializer's kernel (forest-specializer.ts) in WebAssembly, assembled at load time
 * by the project's writer (models/wasm-assembler.ts): `scan` (which columns all rows share,
 * which hold NaN), `gather` (the columns the specialised trees still split on, eight rows at a
 * time, column by column), `specialize` (the copy of the forest with the shared splits
 * resolved) and `walk` (the specialised forest, rows without NaN where the trees split, eight
 * rows side by side, without the bounds checks):
 *
 *   walk(groupsAt, groupBytes, groups, t0, t1, rootsAt, depthAt, leafAt, sumsAt)
 *     groups of eight rows from groupsAt on, groupBytes apart; for each tree t in [t0, t1):
 *     start at the record whose address is the int32 at rootsAt + 4t, step the int32 at
 *     depthAt + 4t times, then add the float32 leaf value at leafAt + record address / 4 (the
 *     caller places leafAt accordingly) to the row's sum; sums[r] (f64 at sumsAt + 8r) = the
 *     sum, from 0 in tree order.
 *
 * A record is 16 bytes: the column's offset in a group, threshold (f32), the left child's
 * record address (the right child follows), unused. A step goes to left + 16 * (x > threshold);
 * a leaf has threshold +Infinity and itself as left child, so it stays. Same leaves, same
 * float32 values added in the same tree order: the sums are bit-identical to the JavaScript
 * walk.
 */
import {
  Code,
  type FuncDef,
  F64,
  I32,
  lazyModule,
  V128,
  type ValType,
  wasmApi,
  type WasmMemory,
} from "../wasm-assembler.js";

export type { WasmMemory };

/** Rows that walk side by side (the caller pads the rows to a multiple of it). */
export const WALK_LANES = 8;

/**
 * walk(groupsAt, groupBytes, groups, t0, t1, rootsAt, depthAt, leafAt, sumsAt): groups of eight
 * rows stored column by column (gather's layout: the value of lane l in the column at record
 * feature f is the float32 at group + f + 4l), so the eight lanes read through constant
 * offsets from one group pointer (no pointer per lane: x86-64 has sixteen registers) and
 * lanes that test the same column read the same cache line. Group by group, every tree: the
 * group's eight sums stay in registers (stored once, at sumsAt + 8r), its values and the
 * specialised forest in the L1 cache.
 */
function walk(): FuncDef {
  const L = WALK_LANES;
  const [groupsAt, groupBytes, groups, t0, t1, rootsAt, depthAt, leafAt, sumsAt] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8,
  ];
  const nParams = 9;
  const [g, b, s, t, root, steps, d] = [9, 10, 11, 12, 13, 14, 15];
  const i = Array.from({ length: L }, (_, l) => 16 + l);
  const sum = Array.from({ length: L }, (_, l) => 16 + L + l);
  const k = new Code();
  k.i32(0).set(g);
  k.get(groupsAt).set(b);
  k.get(sumsAt).set(s);
  k.block();
  k.get(g).get(groups).i32GeU().brIf(0);
  k.loop(); // groups
  for (let l = 0; l < L; l++) k.f64(0).set(sum[l]);
  k.get(t0).set(t);
  k.block();
  k.get(t).get(t1).i32GeU().brIf(0);
  k.loop(); // trees
  k.get(rootsAt).get(t).i32(2).i32Shl().i32Add().i32Load().set(root);
  k.get(depthAt).get(t).i32(2).i32Shl().i32Add().i32Load().set(steps);
  for (let l = 0; l < L; l++) k.get(root).set(i[l]);
  k.i32(0).set(d);
  k.block();
  k.get(d).get(steps).i32GeU().brIf(0);
  k.loop(); // steps
  for (let l = 0; l < L; l++) {
    // i = left + ((x > threshold) << 4)
    k.get(i[l]).i32Load(8);
    k.get(b)
      .get(i[l])
      .i32Load(0)
      .i32Add()
      .f32Load(4 * l);
    k.get(i[l]).f32Load(4);
    k.f32Gt().i32(4).i32Shl().i32Add().set(i[l]);
  }
  k.get(d).i32(1).i32Add().tee(d).get(steps).i32LtU().brIf(0);
  k.end();
  k.end();
  for (let l = 0; l < L; l++) {
    k.get(sum[l]);
    k.get(leafAt).get(i[l]).i32(2).i32ShrU().i32Add().f32Load();
    k.f64PromoteF32().f64Add().set(sum[l]);
  }
  k.get(t).i32(1).i32Add().tee(t).get(t1).i32LtU().brIf(0);
  k.end();
  k.end();
  for (let l = 0; l < L; l++)
    k.get(s)
      .get(sum[l])
      .f64Store(8 * l);
  k.get(b).get(groupBytes).i32Add().set(b);
  k.get(s)
    .i32(8 * L)
    .i32Add()
    .set(s);
  k.get(g).i32(1).i32Add().tee(g).get(groups).i32LtU().brIf(0);
  k.end();
  k.end();
  return {
    name: "walk",
    params: Array.from({ length: nParams }, (): ValType => I32),
    locals: [
      ...Array.from({ length: 7 + L }, (): ValType => I32),
      ...Array.from({ length: L }, (): ValType => F64),
    ],
    body: k,
  };
}

/**
 * gather(rowsAt, rowBytes, groups, colsAt, ncols, outAt): rows (row-major, rowBytes apart) to
 * walk's layout — for each group of eight rows, for each of the ncols columns whose byte
 * offsets are the int32s at colsAt, the eight rows' values (bits copied) — from outAt on.
 */
function gather(): FuncDef {
  const L = WALK_LANES;
  const [rowsAt, rowBytes, groups, colsAt, ncols, outAt] = [0, 1, 2, 3, 4, 5];
  const [g, c, p, a, o] = [6, 7, 8, 9, 10];
  const off = Array.from({ length: L }, (_, l) => 11 + l);
  const k = new Code();
  for (let l = 0; l < L; l++) k.get(rowBytes).i32(l).i32Mul().set(off[l]);
  k.get(rowsAt).set(p);
  k.get(outAt).set(o);
  k.i32(0).set(g);
  k.block();
  k.get(g).get(groups).i32GeU().brIf(0);
  k.loop();
  k.i32(0).set(c);
  k.block();
  k.get(c).get(ncols).i32GeU().brIf(0);
  k.loop();
  k.get(p).get(colsAt).get(c).i32(2).i32Shl().i32Add().i32Load().i32Add().set(a);
  for (let l = 0; l < L; l++) {
    k.get(o)
      .get(a)
      .get(off[l])
      .i32Add()
      .i32Load()
      .i32Store(4 * l);
  }
  k.get(o)
    .i32(4 * L)
    .i32Add()
    .set(o);
  k.get(c).i32(1).i32Add().tee(c).get(ncols).i32LtU().brIf(0);
  k.end();
  k.end();
  k.get(p)
    .get(off[L - 1])
    .get(rowBytes)
    .i32Add()
    .i32Add()
    .set(p);
  k.get(g).i32(1).i32Add().tee(g).get(groups).i32LtU().brIf(0);
  k.end();
  k.end();
  return {
    name: "gather",
    params: Array.from({ length: 6 }, (): ValType => I32),
    locals: Array.from({ length: 5 + L }, (): ValType => I32),
    body: k,
  };
}

/** Column groups of four that scan takes per pass over the rows. */
export const SCAN_VECS = 4;

/**
 * scan(rowsAt, rowBytes, rows, vecs, eqAt, nanAt, minAt, maxAt): for the columns of `rows` rows
 * at rowsAt (rowBytes apart), in groups of four (vecs groups, rounded up to SCAN_VECS): the
 * float32s at minAt + 4c and maxAt + 4c are column c's smallest and largest value (NaN when it
 * has a NaN), the int32 at nanAt + 4c all ones when it has a NaN, the int32 at eqAt + 4c all
 * ones when every row holds the same bits (min and max with the same bits: wasm's min and max
 * order -0 below +0; a column of NaN is not flagged). Each pass takes SCAN_VECS groups (16
 * columns) over all rows, so a row's bytes are read once per pass, not once per group. (The
 * last pass may read up to 16 * SCAN_VECS bytes past a row: those lanes are not read.)
 */
function scan(): FuncDef {
  const V = SCAN_VECS;
  const [rowsAt, rowBytes, rows, vecs, eqAt, nanAt, minAt, maxAt] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [v, q, r] = [8, 9, 10];
  const x = 11;
  const lo = Array.from({ length: V }, (_, j) => 12 + j);
  const hi = Array.from({ length: V }, (_, j) => 12 + V + j);
  const k = new Code();
  const at = (base: number, j: number) =>
    k
      .get(base)
      .get(v)
      .i32(4)
      .i32Shl()
      .i32Add()
      .i32(16 * j)
      .i32Add();
  k.i32(0).set(v);
  k.block();
  k.get(v).get(vecs).i32GeU().brIf(0);
  k.loop();
  k.get(rowsAt).get(v).i32(4).i32Shl().i32Add().set(q);
  for (let j = 0; j < V; j++) {
    k.get(q)
      .v128Load(16 * j)
      .tee(lo[j])
      .set(hi[j]);
  }
  k.i32(1).set(r);
  k.block();
  k.get(r).get(rows).i32GeU().brIf(0);
  k.loop();
  k.get(q).get(rowBytes).i32Add().set(q);
  for (let j = 0; j < V; j++) {
    k.get(q)
      .v128Load(16 * j)
      .set(x);
    k.get(lo[j]).get(x).f32x4Min().set(lo[j]);
    k.get(hi[j]).get(x).f32x4Max().set(hi[j]);
  }
  k.get(r).i32(1).i32Add().tee(r).get(rows).i32LtU().brIf(0);
  k.end();
  k.end();
  for (let j = 0; j < V; j++) {
    at(minAt, j).get(lo[j]).v128Store();
    at(maxAt, j).get(hi[j]).v128Store();
    at(nanAt, j).get(lo[j]).get(lo[j]).f32x4Ne().v128Store();
    at(eqAt, j)
      .get(lo[j])
      .get(hi[j])
      .i32x4Eq()
      .get(lo[j])
      .get(lo[j])
      .f32x4Eq()
      .v128And()
      .v128Store();
  }
  k.get(v).i32(V).i32Add().tee(v).get(vecs).i32LtU().brIf(0);
  k.end();
  k.end();
  return {
    name: "scan",
    params: Array.from({ length: 8 }, (): ValType => I32),
    locals: [I32, I32, I32, ...Array.from({ length: 1 + 2 * V }, (): ValType => V128)],
    body: k,
  };
}

/** The feature slot of a leaf in specialize's source records. */
export const LEAF_FEATURE = -1;

/**
 * specialize(valsAt, srcRootsAt, t0, t1, eqAt, minAt, maxAt, mapAt, leafAt, rootsAt, depthAt,
 * stackAt): the forest specializer's copy in WebAssembly. Source records (16 bytes): feature
 * x 4 or -1 for a leaf, threshold (a leaf's value for a leaf), the left child's byte address
 * (the right child follows), 1 = NaN goes right; tree t's root at the int32 srcRootsAt + 4t.
 * A split every row of the batch takes the same way is replaced by that child: one whose
 * column's int32 at eqAt + feature x 4 is non-zero (shared by the batch) is resolved with the
 * row at valsAt; one whose column's largest value (float32 at maxAt + feature x 4) is <= the
 * threshold goes left, its smallest (minAt) > the threshold right (the batch has no NaN in
 * those columns: scan's flags, checked by the caller).
 * The specialised records go from address 0 on in the walk's format (a split's feature is the
 * int32 at mapAt + feature x 4: its offset in gather's layout), their leaf values at
 * leafAt + record address / 4, roots and depths at rootsAt + 4t and depthAt + 4t; stackAt has
 * room for 12 bytes per level of the deepest tree, plus one.
 */
function specialize(): FuncDef {
  const [valsAt, srcRootsAt, t, t1, eqAt, minAt, maxAt, mapAt, leafAt, rootsAt, depthAt] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ];
  const stackAt = 11;
  const [o, sp, dst, from, level, deepest, f, pair, bit] = [12, 13, 14, 15, 16, 17, 18, 19, 20];
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
  // through the splits every row takes the same way
  k.block(); // resolved
  k.loop(); // res
  k.get(from).i32Load(0).tee(f).i32(LEAF_FEATURE).i32Eq().brIf(1);
  k.block(); // not shared
  k.get(eqAt).get(f).i32Add().i32Load().i32Eqz().brIf(0);
  // a shared column: from = left + 16 * (x > thr | !(x <= thr) & nanRight)
  k.get(valsAt).get(f).i32Add().f32Load().get(from).f32Load(4).f32Gt();
  k.get(valsAt).get(f).i32Add().f32Load().get(from).f32Load(4).f32Le().i32(1).i32Xor();
  k.get(from).i32Load(12).i32And().i32Or().set(bit);
  k.get(from).i32Load(8).get(bit).i32(4).i32Shl().i32Add().set(from);
  k.br(1);
  k.end();
  // every row's value on one side of the threshold (no NaN: the caller checked)
  k.block(); // right
  k.block(); // left
  k.get(maxAt).get(f).i32Add().f32Load().get(from).f32Load(4).f32Le().brIf(0);
  k.get(minAt).get(f).i32Add().f32Load().get(from).f32Load(4).f32Gt().brIf(1);
  k.br(3);
  k.end();
  k.get(from).i32Load(8).set(from);
  k.br(1);
  k.end();
  k.get(from).i32Load(8).i32(16).i32Add().set(from);
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
  k.get(dst).get(mapAt).get(f).i32Add().i32Load().i32Store(0);
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
    params: Array.from({ length: 12 }, (): ValType => I32),
    locals: Array.from({ length: 9 }, (): ValType => I32),
    body: k,
  };
}

const api = wasmApi;
const walkModule = lazyModule(() => [walk(), gather(), scan(), specialize()]);

export type Walk = (
  groupsAt: number,
  groupBytes: number,
  groups: number,
  t0: number,
  t1: number,
  rootsAt: number,
  depthAt: number,
  leafAt: number,
  sumsAt: number,
) => void;

export type Scan = (
  rowsAt: number,
  rowBytes: number,
  rows: number,
  vecs: number,
  eqAt: number,
  nanAt: number,
  minAt: number,
  maxAt: number,
) => void;

export type Gather = (
  rowsAt: number,
  rowBytes: number,
  groups: number,
  colsAt: number,
  ncols: number,
  outAt: number,
) => void;

export type Specialize = (
  valsAt: number,
  srcRootsAt: number,
  t0: number,
  t1: number,
  eqAt: number,
  minAt: number,
  maxAt: number,
  mapAt: number,
  leafAt: number,
  rootsAt: number,
  depthAt: number,
  stackAt: number,
) => void;

/** The module's functions over one memory. */
export interface WalkKernel {
  memory: WasmMemory;
  walk: Walk;
  gather: Gather;
  scan: Scan;
  specialize: Specialize;
}

/** The kernel over a new memory of at least `bytes` bytes, or null where WebAssembly is not. */
export function walkKernel(bytes: number): WalkKernel | null {
  const mod = walkModule();
  const pages = Math.ceil(Math.max(bytes, 1) / 65536);
  if (!mod || !api || pages > 65536) return null;
  try {
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
    const inst = new api.Instance(mod, { env: { mem: memory } });
    const e = inst.exports;
    return {
      memory,
      walk: e.walk as Walk,
      gather: e.gather as Gather,
      scan: e.scan as Scan,
      specialize: e.specialize as Specialize,
    };
  } catch {
    return null;
  }
}
