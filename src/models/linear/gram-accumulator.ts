/**
 * The weighted Gram matrix sum_i h_i z_i z_i^T of logistic regression's Newton step, accumulated
 * block by block in WebAssembly SIMD (f64x2), with a plain-JS kernel that gives bit-identical
 * sums where WebAssembly SIMD is missing.
 *
 * Building it costs d^2/2 multiply-adds per row against d for the gradient, so it was most of
 * the fit: 70k rows x 83 columns is 240M multiply-adds per Newton step. Accumulating one row at
 * a time into the d x d matrix (a load, multiply-add and store per entry) ran at 0.3-0.6 G/s.
 * Here the caller writes BLOCK rows column-major and their weights; the kernel weighs them and
 * takes dot products of whole columns with the sums in registers (a 2 x 4 tile of columns per
 * turn, two rows per f64x2 lane pair), ~3 G/s on this machine.
 *
 *   block buffers (column-major, BLOCK rows; columns d..P-1 stay zero):
 *     z  = [ z[0][0..BLOCK) | z[1][0..BLOCK) | ... | z[P-1][...] ]     standardised values
 *     h  = [ h[0..BLOCK) ]                                              row weights
 *     wz = same layout as z, h_i z[c][i]                                weighted copy (kernel)
 *   sums: P x P cells of two doubles, cell (a, b) = (sum over even rows, sum over odd rows)
 *     of wz[a][i] z[b][i]; the kernel fills every b <= a (and a few cells above the diagonal,
 *     which are ignored). The two lanes are added at the end.
 *
 * Both kernels add each lane's products in row order into a zeroed register and then into the
 * cell, with separate multiply and add roundings (WebAssembly SIMD has no fused multiply-add and
 * JavaScript never fuses), so the wasm and JS sums are the same doubles.
 */
import {
  Code,
  compileModule,
  type FuncDef,
  I32,
  V128,
  type ValType,
  wasmApi,
  type WasmModule,
} from "../wasm-assembler.js";

/** Rows per block: 1 KiB per column, so a block of ~100 columns stays in the L2 cache. */
export const GRAM_BLOCK = 128;

/**
 * tile(wa, zq, nQuads, cell): for the column pair (a, a + 1) whose wz column a starts at byte
 * `wa`, and nQuads quads of z columns starting at byte `zq` (columns 0..4 nQuads - 1), add the
 * 2 x 4 dot products of each quad into the cells starting at byte `cell` (cell (a, 0)).
 */
function tileFunc(P: number, block: number): FuncDef {
  const SB = block * 8;
  const params: ValType[] = [I32, I32, I32, I32];
  const [wa, zq0, nq, cell0] = [0, 1, 2, 3];
  const locals: ValType[] = [];
  const add = (t: ValType) => {
    locals.push(t);
    return params.length + locals.length - 1;
  };
  const q = add(I32);
  const off = add(I32);
  const zq = add(I32);
  const cell = add(I32);
  const acc = Array.from({ length: 8 }, () => add(V128));
  const w0 = add(V128);
  const w1 = add(V128);
  const zv = add(V128);
  const c = new Code();
  c.i32(0).set(q).get(zq0).set(zq).get(cell0).set(cell);
  c.loop(); // over quads of z columns
  for (const a of acc) c.v128Zero().set(a);
  c.i32(0).set(off);
  c.loop(); // over the block's rows, two per turn
  c.get(wa).get(off).i32Add().v128Load(0).set(w0);
  c.get(wa).get(off).i32Add().v128Load(SB).set(w1);
  for (let k = 0; k < 4; k++) {
    c.get(zq)
      .get(off)
      .i32Add()
      .v128Load(k * SB)
      .set(zv);
    c.get(acc[k]).get(w0).get(zv).f64x2Mul().f64x2Add().set(acc[k]);
    c.get(acc[4 + k])
      .get(w1)
      .get(zv)
      .f64x2Mul()
      .f64x2Add()
      .set(acc[4 + k]);
  }
  c.get(off).i32(16).i32Add().set(off);
  c.get(off).i32(SB).i32LtU().brIf(0);
  c.end();
  for (let k = 0; k < 4; k++) {
    c.get(cell)
      .get(cell)
      .v128Load(k * 16)
      .get(acc[k])
      .f64x2Add()
      .v128Store(k * 16);
    c.get(cell)
      .get(cell)
      .v128Load(P * 16 + k * 16)
      .get(acc[4 + k])
      .f64x2Add()
      .v128Store(P * 16 + k * 16);
  }
  c.get(zq)
    .i32(4 * SB)
    .i32Add()
    .set(zq);
  c.get(cell).i32(64).i32Add().set(cell);
  c.get(q).i32(1).i32Add().set(q);
  c.get(q).get(nq).i32LtU().brIf(0);
  c.end();
  return { name: "tile", params, locals, body: c };
}

/** weigh(z, h, wz): wz[c][i] = h[i] z[c][i] for the P columns of a block (two rows per turn). */
function weighFunc(P: number, block: number): FuncDef {
  const SB = block * 8;
  const params: ValType[] = [I32, I32, I32];
  const [z0, h0, wz0] = [0, 1, 2];
  const locals: ValType[] = [];
  const add = (t: ValType) => {
    locals.push(t);
    return params.length + locals.length - 1;
  };
  const col = add(I32);
  const off = add(I32);
  const zc = add(I32);
  const wzc = add(I32);
  const c = new Code();
  c.i32(0).set(col).get(z0).set(zc).get(wz0).set(wzc);
  c.loop(); // over columns
  c.i32(0).set(off);
  c.loop(); // over rows, two per turn
  c.get(wzc).get(off).i32Add();
  c.get(h0).get(off).i32Add().v128Load(0);
  c.get(zc).get(off).i32Add().v128Load(0);
  c.f64x2Mul().v128Store(0);
  c.get(off).i32(16).i32Add().set(off);
  c.get(off).i32(SB).i32LtU().brIf(0);
  c.end();
  c.get(zc).i32(SB).i32Add().set(zc);
  c.get(wzc).i32(SB).i32Add().set(wzc);
  c.get(col).i32(1).i32Add().set(col);
  c.get(col).i32(P).i32LtU().brIf(0);
  c.end();
  return { name: "weigh", params, locals, body: c };
}

const moduleCache = new Map<string, WasmModule | null>();

/** The compiled kernel for P padded columns, or null without WebAssembly SIMD. */
function gramModule(P: number, block: number): WasmModule | null {
  const key = `${P}x${block}`;
  let m = moduleCache.get(key);
  if (m === undefined) {
    m = compileModule([tileFunc(P, block), weighFunc(P, block)]);
    moduleCache.set(key, m);
  }
  return m;
}

export interface GramOptions {
  /** Use the WebAssembly kernel when available (default true); false forces the JS kernel. */
  wasm?: boolean;
  /** Rows per block (default GRAM_BLOCK; even). */
  block?: number;
}

/** Accumulates sum_i h_i z_i z_i^T over blocks of rows the caller writes into `z` and `wz`. */
export class GramAccumulator {
  readonly d: number;
  /** Rows per block. */
  readonly block: number;
  /** Standardised values of the current block, column-major (z[c * block + i]). */
  readonly z: Float64Array;
  /** Row weights h_i of the current block. */
  readonly h: Float64Array;
  /** h_i z[c][i], same layout as z (filled by flush). */
  private readonly wz: Float64Array;
  /** True when the WebAssembly kernel is in use. */
  readonly usesWasm: boolean;
  private readonly P: number;
  private readonly sums: Float64Array;
  private readonly tile: ((wa: number, zq: number, nq: number, cell: number) => void) | null;
  private readonly weigh: ((z: number, h: number, wz: number) => void) | null;
  private readonly hByte: number;
  private readonly zByte: number;
  private readonly wzByte: number;
  private readonly sumsByte: number;

  constructor(d: number, opts: GramOptions = {}) {
    this.d = d;
    this.block = opts.block ?? GRAM_BLOCK;
    if (this.block % 2 !== 0) throw new RangeError(`gram block must be even, got ${this.block}`);
    this.P = Math.ceil(d / 4) * 4;
    const P = this.P;
    const colBytes = this.block * 8;
    this.zByte = 0;
    this.wzByte = P * colBytes;
    this.sumsByte = 2 * P * colBytes;
    this.hByte = this.sumsByte + P * P * 16;
    const bytes = this.hByte + colBytes;
    const mod = opts.wasm === false ? null : gramModule(P, this.block);
    if (mod !== null && wasmApi) {
      const pages = Math.ceil(bytes / 65536);
      const memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
      const inst = new wasmApi.Instance(mod, { env: { mem: memory } });
      this.tile = inst.exports.tile as (wa: number, zq: number, nq: number, cell: number) => void;
      this.weigh = inst.exports.weigh as (z: number, h: number, wz: number) => void;
      const all = new Float64Array(memory.buffer, 0, bytes / 8);
      this.z = all.subarray(0, P * this.block);
      this.wz = all.subarray(P * this.block, 2 * P * this.block);
      this.sums = all.subarray(2 * P * this.block, this.hByte / 8);
      this.h = all.subarray(this.hByte / 8);
    } else {
      this.tile = null;
      this.weigh = null;
      this.z = new Float64Array(P * this.block);
      this.wz = new Float64Array(P * this.block);
      this.sums = new Float64Array(P * P * 2);
      this.h = new Float64Array(this.block);
    }
    this.usesWasm = this.tile !== null;
  }

  /** Zero the sums (the start of a new Gram matrix). */
  reset(): void {
    this.sums.fill(0);
  }

  /**
   * Add the first n rows of the block: their z columns (finite values) weighted by h. Rows
   * n..block-1 get weight 0 first, so whatever z holds there adds nothing.
   */
  flush(n: number): void {
    const B = this.block;
    if (n < B) this.h.fill(0, n);
    if (this.tile && this.weigh) {
      const colBytes = B * 8;
      this.weigh(this.zByte, this.hByte, this.wzByte);
      for (let a = 0; a < this.P; a += 2) {
        this.tile(
          this.wzByte + a * colBytes,
          this.zByte,
          ((a + 1) >> 2) + 1,
          this.sumsByte + a * this.P * 16,
        );
      }
    } else this.flushJs();
  }

  /** The JS kernel: the wasm tile's arithmetic, lane by lane in the same order. */
  private flushJs(): void {
    const { z, wz, h, sums, P } = this;
    const B = this.block;
    for (let c = 0; c < P; c++) {
      const o = c * B;
      for (let i = 0; i < B; i++) wz[o + i] = h[i] * z[o + i];
    }
    for (let a = 0; a < P; a++) {
      const oa = a * B;
      const bEnd = (((a & ~1) + 1) >> 2) * 4 + 4;
      for (let b = 0; b < bEnd; b++) {
        const ob = b * B;
        let even = 0;
        let odd = 0;
        for (let i = 0; i < B; i += 2) {
          even += wz[oa + i] * z[ob + i];
          odd += wz[oa + i + 1] * z[ob + i + 1];
        }
        const cell = 2 * (a * P + b);
        sums[cell] += even;
        sums[cell + 1] += odd;
      }
    }
  }

  /** Write the symmetric d x d sum (row-major) into `out`. */
  result(out: Float64Array): void {
    const { d, P, sums } = this;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const cell = 2 * (a * P + b);
        out[a * d + b] = out[b * d + a] = sums[cell] + sums[cell + 1];
      }
    }
  }
}
