/**
 * FactorDots: a user's factor vector against every movie's factors (implicit-MF candidate
 * scores, one call per recommendation), on a WebAssembly SIMD kernel built at load time with the
 * shared assembler. The movie factors are laid out once, at load, in blocks of 8 movies:
 *
 *   block b, factor c: 8 doubles = factor c of movies 8b .. 8b+7   (zero rows pad the last block)
 *
 * so a block is one contiguous 8*k doubles that the kernel streams through with four f64x2
 * accumulators. Each score is the sum over c = 0 .. k-1 of x[c] * Y[i][c], in float64, in that
 * order (a lane is one movie), so the result is bit-identical to dotAll() and to
 * ImplicitMf.userScores; only the layout and the width change. Without WebAssembly SIMD it
 * falls back to dotAll(). One instance per thread (calls share its scratch memory).
 */
import {
  Code,
  type FuncDef,
  I32,
  lazyModule,
  V128,
  wasmApi,
  type WasmMemory,
} from "../models/wasm-assembler.js";

const LANES = 8;
const PAGE = 65536;

/**
 * x . Y[i] for every row i of Y (k columns), each sum in the model's order (c = 0 .. k-1, in
 * float64), four movies at a time in plain JavaScript (the fallback, and the reference).
 */
export function dotAll(x: Float32Array, Y: Float32Array, k: number): Float32Array {
  const n = Math.floor(Y.length / k);
  const out = new Float32Array(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i * k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let c = 0; c < k; c++) {
      const xc = x[c];
      s0 += xc * Y[o + c];
      s1 += xc * Y[o + k + c];
      s2 += xc * Y[o + 2 * k + c];
      s3 += xc * Y[o + 3 * k + c];
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += x[c] * Y[i * k + c];
    out[i] = s;
  }
  return out;
}

/**
 * dots(x, y, out, blocks, k): x = k pairs (x[c], x[c]) of f64; y = blocks x k x 8 f64;
 * out = blocks x 8 f64. Requires blocks >= 1 and k >= 1.
 */
function kernelFuncs(): FuncDef[] {
  // params 0 x, 1 y, 2 out, 3 blocks, 4 k; locals 5 b, 6 c, 7 xp, 8 xs, 9..12 accumulators
  const X = 0;
  const Y = 1;
  const OUT = 2;
  const BLOCKS = 3;
  const K = 4;
  const B = 5;
  const C = 6;
  const XP = 7;
  const XS = 8;
  const A = [9, 10, 11, 12];
  const c = new Code();
  c.i32(0).set(B);
  c.loop();
  for (const a of A) c.v128Zero().set(a);
  c.i32(0).set(C);
  c.get(X).set(XP);
  c.loop();
  c.get(XP).v128Load(0).set(XS);
  A.forEach((a, j) => {
    // a += x[c] * y[c][lane pair j]: multiply first, then add, as the scalar sum does
    c.get(a)
      .get(XS)
      .get(Y)
      .v128Load(16 * j)
      .f64x2Mul()
      .f64x2Add()
      .set(a);
  });
  c.get(Y)
    .i32(16 * A.length)
    .i32Add()
    .set(Y);
  c.get(XP).i32(16).i32Add().set(XP);
  c.get(C).i32(1).i32Add().tee(C).get(K).i32LtU().brIf(0);
  c.end();
  A.forEach((a, j) => {
    c.get(OUT)
      .get(a)
      .v128Store(16 * j);
  });
  c.get(OUT)
    .i32(16 * A.length)
    .i32Add()
    .set(OUT);
  c.get(B).i32(1).i32Add().tee(B).get(BLOCKS).i32LtU().brIf(0);
  c.end();
  return [
    {
      name: "dots",
      params: [I32, I32, I32, I32, I32],
      locals: [I32, I32, I32, V128, V128, V128, V128, V128],
      body: c,
    },
  ];
}

const kernelModule = lazyModule(kernelFuncs);

export class FactorDots {
  /** Movies (rows of Y). */
  readonly n: number;
  private readonly run: ((x: number, y: number, out: number, b: number, k: number) => void) | null;
  private readonly memory: WasmMemory | null = null;
  private readonly xOff = 0;
  private readonly yOff: number;
  private readonly outOff: number;
  private readonly blocks: number;

  /** Y: n x k movie factors, row-major (as ImplicitMf stores them). */
  constructor(
    private readonly Y: Float32Array,
    readonly k: number,
    /** false: always the JavaScript loop (tests compare the two). */
    useWasm = true,
  ) {
    this.n = k > 0 ? Math.floor(Y.length / k) : 0;
    this.blocks = Math.ceil(this.n / LANES);
    this.yOff = 16 * k;
    this.outOff = this.yOff + 8 * this.blocks * k * LANES;
    const bytes = this.outOff + 8 * this.blocks * LANES;
    const mod = useWasm && k > 0 && this.n > 0 ? kernelModule() : null;
    if (!mod || !wasmApi || bytes > 1024 * 1024 * 1024) {
      this.run = null;
      return;
    }
    const pages = Math.ceil(bytes / PAGE);
    this.memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
    const inst = new wasmApi.Instance(mod, { env: { mem: this.memory } });
    this.run = inst.exports.dots as (x: number, y: number, o: number, b: number, k: number) => void;
    const y = new Float64Array(this.memory.buffer, this.yOff, this.blocks * k * LANES);
    for (let i = 0; i < this.n; i++) {
      const base = Math.floor(i / LANES) * k * LANES + (i % LANES);
      for (let c = 0; c < k; c++) y[base + c * LANES] = Y[i * k + c];
    }
  }

  /** True when the WebAssembly kernel runs (false: the JavaScript fallback). */
  get wasm(): boolean {
    return this.run !== null;
  }

  /**
   * x . Y[i] for every movie i, as float32 (bit-identical to dotAll(x, Y, k)), into `into` when
   * it has length n (a caller's reused buffer), else into a new array.
   */
  scores(x: Float32Array, into?: Float32Array): Float32Array {
    const k = this.k;
    if (!this.run || !this.memory) return dotAll(x, this.Y, k);
    const xs = new Float64Array(this.memory.buffer, this.xOff, 2 * k);
    for (let c = 0; c < k; c++) {
      xs[2 * c] = x[c];
      xs[2 * c + 1] = x[c];
    }
    this.run(this.xOff, this.yOff, this.outOff, this.blocks, k);
    const out = into?.length === this.n ? into : new Float32Array(this.n);
    // float64 -> float32 rounds to nearest, as storing the JavaScript sum into a Float32Array does
    out.set(new Float64Array(this.memory.buffer, this.outOff, this.n));
    return out;
  }
}
