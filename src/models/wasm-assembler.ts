/**
 * A tiny WebAssembly binary writer: just enough of the format (types, one imported shared
 * memory, functions, exports; integer / f32 / f64 / SIMD instructions and structured control
 * flow) to emit the models' kernels at load time (ALS in factorization/, the Gram matrix in
 * linear/, histograms, partitions, tree walks and TreeSHAP in trees/, the serving MF dot
 * products in recommend/), so the project needs no wasm toolchain and no checked-in binary.
 * Opcode values are those of the WebAssembly core specification (SIMD: the 0xFD prefix
 * followed by a LEB128 sub-opcode). compileModule / lazyModule compile a kernel once and give
 * null where the runtime lacks WebAssembly SIMD, so every caller keeps a JavaScript path.
 */

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof V128;

function uleb(n: number, out: number[]): void {
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(n: number, out: number[]): void {
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  for (const b of bytes) out.push(b);
}

/** Instruction stream of one function body; methods append and return `this` for chaining. */
export class Code {
  readonly bytes: number[] = [];
  private op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  private simd(sub: number): this {
    this.bytes.push(0xfd);
    uleb(sub, this.bytes);
    return this;
  }
  get(i: number): this {
    this.op(0x20);
    uleb(i, this.bytes);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(i, this.bytes);
    return this;
  }
  /** local.tee: set local i and keep the value on the stack. */
  tee(i: number): this {
    this.op(0x22);
    uleb(i, this.bytes);
    return this;
  }
  i32(n: number): this {
    this.op(0x41);
    sleb(n, this.bytes);
    return this;
  }
  f64(x: number): this {
    this.op(0x44);
    const b = new Uint8Array(new Float64Array([x]).buffer);
    for (const v of b) this.bytes.push(v);
    return this;
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Xor(): this {
    return this.op(0x73);
  }
  i32Or(): this {
    return this.op(0x72);
  }
  /** f32 comparisons: 1 or 0 (0 when either side is NaN). */
  f32Le(): this {
    return this.op(0x5f);
  }
  f32Gt(): this {
    return this.op(0x5e);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Sub(): this {
    return this.op(0xa1);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }
  f64PromoteF32(): this {
    return this.op(0xbb);
  }
  /** Loads/stores: memarg = alignment exponent, byte offset. */
  i32Load(offset = 0): this {
    this.op(0x28, 2);
    uleb(offset, this.bytes);
    return this;
  }
  /** One byte, zero-extended (alignment 1). */
  i32Load8U(offset = 0): this {
    this.op(0x2d, 0);
    uleb(offset, this.bytes);
    return this;
  }
  i32Store(offset = 0): this {
    this.op(0x36, 2);
    uleb(offset, this.bytes);
    return this;
  }
  f64Load(offset = 0): this {
    this.op(0x2b, 3);
    uleb(offset, this.bytes);
    return this;
  }
  f64Store(offset = 0): this {
    this.op(0x39, 3);
    uleb(offset, this.bytes);
    return this;
  }
  f32Load(offset = 0): this {
    this.op(0x2a, 2);
    uleb(offset, this.bytes);
    return this;
  }
  v128Load(offset = 0): this {
    this.simd(0x00).op(4);
    uleb(offset, this.bytes);
    return this;
  }
  v128Store(offset = 0): this {
    this.simd(0x0b).op(4);
    uleb(offset, this.bytes);
    return this;
  }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  f64x2Lane(lane: 0 | 1): this {
    return this.simd(0x21).op(lane);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  /** Lane-wise bit equality of four int32 (all ones where equal). */
  i32x4Eq(): this {
    return this.simd(0x37);
  }
  /** Lane-wise float32 x == y (all ones where equal; never for NaN). */
  f32x4Eq(): this {
    return this.simd(0x41);
  }
  /** Lane-wise float32 x != y (all ones where not equal, so where x is NaN for x != x). */
  f32x4Ne(): this {
    return this.simd(0x42);
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /** f32x4 comparisons: all-ones or zero lanes (zero when either side is NaN). */
  f32x4Le(): this {
    return this.simd(0x45);
  }
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  /** Lane-wise float32 minimum / maximum (NaN if either is NaN). */
  f32x4Min(): this {
    return this.simd(0xe8);
  }
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  /** a & ~b (a pushed first). */
  v128AndNot(): this {
    return this.simd(0x4f);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  /** One f32/i32 from memory into the low lane, the others zero. */
  v128Load32Zero(offset = 0): this {
    this.simd(0x5c).op(2);
    uleb(offset, this.bytes);
    return this;
  }
  /** One f32/i32 from memory into `lane` of the vector on the stack (address pushed first). */
  v128Load32Lane(lane: 0 | 1 | 2 | 3, offset = 0): this {
    this.simd(0x56).op(2);
    uleb(offset, this.bytes);
    return this.op(lane);
  }
  /** The two low f32 lanes as f64x2. */
  f64x2PromoteLow(): this {
    return this.simd(0x5f);
  }
  /** i32x4 shift right (unsigned) by an i32 count. */
  i32x4ShrU(): this {
    return this.simd(0xad);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  i32x4Mul(): this {
    return this.simd(0xb5);
  }
  /** Lane-wise int32 x != y (all ones where not equal). */
  i32x4Ne(): this {
    return this.simd(0x38);
  }
  /** Bit i = the top bit of int32 lane i. */
  i32x4Bitmask(): this {
    return this.simd(0xa4);
  }
  /** Bytes of the two vectors on the stack (0-15 the first, 16-31 the second) picked by `lanes`. */
  i8x16Shuffle(lanes: readonly number[]): this {
    this.simd(0x0d);
    for (const l of lanes) this.bytes.push(l);
    return this;
  }
  /** Bytes of the first vector picked by the second's bytes (an index >= 16 gives 0). */
  i8x16Swizzle(): this {
    return this.simd(0x0e);
  }
  /** Number of one bits. */
  i32Popcnt(): this {
    return this.op(0x69);
  }
  /** `block` with no result (a br_if to it jumps past its end); close with end(). */
  block(): this {
    return this.op(0x02, 0x40);
  }
  /** `loop` with no result; close with end(). */
  loop(): this {
    return this.op(0x03, 0x40);
  }
  br(depth: number): this {
    this.op(0x0c);
    uleb(depth, this.bytes);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(depth, this.bytes);
    return this;
  }
  end(): this {
    return this.op(0x0b);
  }
}

export interface FuncDef {
  name: string;
  params: ValType[];
  /** Result types (default none). */
  results?: ValType[];
  /** Extra locals (numbered after the params). */
  locals: ValType[];
  body: Code;
}

/** Largest wasm32 memory, in 64 KiB pages (4 GiB). */
export const MAX_PAGES = 65536;

/** A module importing `env.mem` (any shared memory up to 4 GiB) and exporting `funcs`. */
export function assembleModule(funcs: FuncDef[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]) => {
    out.push(id);
    uleb(body.length, out);
    for (const b of body) out.push(b);
  };
  const types: number[] = [];
  uleb(funcs.length, types);
  for (const f of funcs) {
    types.push(0x60);
    uleb(f.params.length, types);
    for (const p of f.params) types.push(p);
    const results = f.results ?? [];
    uleb(results.length, types);
    for (const r of results) types.push(r);
  }
  section(1, types);
  const imports: number[] = [];
  uleb(1, imports);
  name("env", imports);
  name("mem", imports);
  // limits flag 3 = shared with a maximum; minimum 0 so any size of memory can be imported
  imports.push(0x02, 0x03);
  uleb(0, imports);
  uleb(MAX_PAGES, imports);
  section(2, imports);
  const fsec: number[] = [];
  uleb(funcs.length, fsec);
  for (let i = 0; i < funcs.length; i++) uleb(i, fsec);
  section(3, fsec);
  const exps: number[] = [];
  uleb(funcs.length, exps);
  funcs.forEach((f, i) => {
    name(f.name, exps);
    exps.push(0x00);
    uleb(i, exps);
  });
  section(7, exps);
  const code: number[] = [];
  uleb(funcs.length, code);
  for (const f of funcs) {
    const body: number[] = [];
    uleb(f.locals.length, body);
    for (const l of f.locals) {
      uleb(1, body);
      body.push(l);
    }
    for (const b of f.body.bytes) body.push(b);
    body.push(0x0b);
    uleb(body.length, code);
    for (const b of body) code.push(b);
  }
  section(10, code);
  return new Uint8Array(out);
}

/** The parts of the WebAssembly JS API used here (the project's TypeScript libs omit them). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
/** An opaque compiled-module handle. */
export type WasmModule = object;
export interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    m: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/** The runtime's WebAssembly object, or undefined where there is none. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi })
  .WebAssembly;

/** The module of `funcs` compiled, or null where the runtime lacks WebAssembly (SIMD) or rejects it. */
export function compileModule(funcs: FuncDef[]): WasmModule | null {
  try {
    const bytes = assembleModule(funcs);
    return wasmApi?.validate(bytes) ? new wasmApi.Module(bytes) : null;
  } catch {
    return null;
  }
}

/** A getter that compiles the kernel module on first use and returns that module (or null) ever after. */
export function lazyModule(funcs: () => FuncDef[]): () => WasmModule | null {
  let cached: WasmModule | null | undefined;
  return () => {
    if (cached === undefined) cached = compileModule(funcs());
    return cached;
  };
}
