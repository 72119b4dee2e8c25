/**
 * The specialised forest's walk (forest-specializer.ts, rows without NaN where the trees split)
 * in WebAssembly, assembled at load time by the project's writer
 * (models/wasm-assembler.ts). Four rows walk side by side as in JavaScript, without the
 * bounds checks:
 *
 *   walk4(rowsAt, rowBytes, rows4, t0, t1, rootsAt, depthAt, leafAt, sumsAt)
 *     rows4 rows (a multiple of 4) at rowsAt + r * rowBytes (float32 values); for each tree t
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
  type ValType,
  wasmApi,
  type WasmMemory,
} from "../wasm-assembler.js";

export type { WasmMemory };

/** Rows that walk side by side (the caller pads the rows to a multiple of it). */
export const WALK_LANES = 8;

function walk4(): FuncDef {
  const L = WALK_LANES;
  const [rowsAt, rowBytes, rows4, t, t1, rootsAt, depthAt, leafAt, sumsAt] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8,
  ];
  const nParams = 9;
  const [root, steps, r, d] = [9, 10, 11, 12];
  const b = Array.from({ length: L }, (_, l) => 14 + l);
  const i = Array.from({ length: L }, (_, l) => 14 + L + l);
  const s = 14 + 2 * L;
  const k = new Code();
  k.block();
  k.get(t).get(t1).i32GeU().brIf(0);
  k.loop();
  k.get(rootsAt).get(t).i32(2).i32Shl().i32Add().i32Load().set(root);
  k.get(depthAt).get(t).i32(2).i32Shl().i32Add().i32Load().set(steps);
  k.i32(0).set(r);
  k.get(rowsAt).set(b[0]);
  k.get(sumsAt).set(s);
  k.block();
  k.get(r).get(rows4).i32GeU().brIf(0);
  k.loop();
  for (let l = 1; l < L; l++)
    k.get(b[l - 1])
      .get(rowBytes)
      .i32Add()
      .set(b[l]);
  for (let l = 0; l < L; l++) k.get(root).set(i[l]);
  k.i32(0).set(d);
  k.block();
  k.get(d).get(steps).i32GeU().brIf(0);
  k.loop();
  for (let l = 0; l < L; l++) {
    // i = left + ((x > threshold) << 4)
    k.get(i[l]).i32Load(8);
    k.get(b[l]).get(i[l]).i32Load(0).i32Add().f32Load();
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
  k.get(b[L - 1])
    .get(rowBytes)
    .i32Add()
    .set(b[0]);
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
    locals: Array.from({ length: 6 + 2 * L }, (): ValType => I32),
    body: k,
  };
}

const api = wasmApi;
const walkModule = lazyModule(() => [walk4()]);

export type Walk4 = (
  rowsAt: number,
  rowBytes: number,
  rows4: number,
  t0: number,
  t1: number,
  rootsAt: number,
  depthAt: number,
  leafAt: number,
  sumsAt: number,
) => void;

/** The kernel over a new memory of at least `bytes` bytes, or null where WebAssembly is not. */
export function walkKernel(bytes: number): { memory: WasmMemory; walk4: Walk4 } | null {
  const mod = walkModule();
  const pages = Math.ceil(Math.max(bytes, 1) / 65536);
  if (!mod || !api || pages > 65536) return null;
  try {
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
    const inst = new api.Instance(mod, { env: { mem: memory } });
    return { memory, walk4: inst.exports.walk4 as Walk4 };
  } catch {
    return null;
  }
}
