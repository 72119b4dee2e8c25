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
 * Opcode values are those of the WebAssembly core specification (SIMD: prefix 0xFD, LEB128
 * sub-opcode). Summation order per bin is the rows' order, exactly as in the JavaScript kernel,
 * so both give bit-identical histograms.
 */

const I32 = 0x7f;

/** Bytes per feature of a 2-channel histogram (256 bins x f64x2). */
export const FEAT_BYTES = 4096;

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

/** A function body under construction (only the instructions the kernel needs). */
class Body {
  readonly b: number[] = [];
  private op(...x: number[]): this {
    for (const v of x) this.b.push(v);
    return this;
  }
  get(i: number): this {
    this.op(0x20);
    uleb(i, this.b);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(i, this.b);
    return this;
  }
  tee(i: number): this {
    this.op(0x22);
    uleb(i, this.b);
    return this;
  }
  i32(n: number): this {
    this.op(0x41);
    sleb(n, this.b);
    return this;
  }
  add(): this {
    return this.op(0x6a);
  }
  mul(): this {
    return this.op(0x6c);
  }
  and(): this {
    return this.op(0x71);
  }
  shl(): this {
    return this.op(0x74);
  }
  shrU(): this {
    return this.op(0x76);
  }
  sub(): this {
    return this.op(0x6b);
  }
  xor(): this {
    return this.op(0x73);
  }
  ltU(): this {
    return this.op(0x49);
  }
  load8(): this {
    return this.op(0x2d, 0, 0);
  }
  store(): this {
    return this.op(0x36, 2, 0);
  }
  geU(): this {
    return this.op(0x4f);
  }
  load(offset = 0): this {
    this.op(0x28, 2);
    uleb(offset, this.b);
    return this;
  }
  v128Load(offset = 0): this {
    this.op(0xfd, 0x00, 4);
    uleb(offset, this.b);
    return this;
  }
  v128Store(offset = 0): this {
    this.op(0xfd, 0x0b, 4);
    uleb(offset, this.b);
    return this;
  }
  f64x2Add(): this {
    this.op(0xfd);
    uleb(0xf0, this.b);
    return this;
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(depth, this.b);
    return this;
  }
  end(): this {
    return this.op(0x0b);
  }
}

/**
 * hist4(hist, bins, stride, gh, idx, i0, i1, w0, w1): for positions p in [i0, i1) (byte offsets
 * into idx, step 4), row r = idx[p]: for each code word w in [w0, w1) (byte offsets within the
 * row, step 4) add gh[r] to the 4 features' bins; hist points at the first word's feature.
 */
function hist4Body(): { params: number; locals: number[]; body: number[] } {
  const [hist, bins, stride, gh, , i0, i1, w0, w1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const p = i0;
  const nParams = 9;
  const ghv = nParams; // v128
  const w = nParams + 1;
  const wEnd = nParams + 2;
  const o = nParams + 3;
  const x = nParams + 4;
  const k = new Body();
  k.block();
  k.get(p).get(i1).geU().brIf(0);
  k.loop();
  // r = idx[p] (p already includes idx's offset); ghv = gh[r]; row base
  k.get(p).load().set(x);
  k.get(gh).get(x).i32(4).shl().add().v128Load().set(ghv);
  k.get(bins).get(x).get(stride).mul().add().tee(w).get(w1).add().set(wEnd);
  k.get(w).get(w0).add().set(w);
  k.get(hist).set(o);
  k.loop();
  k.get(w).load().set(x);
  const lanes: [number, number][] = [
    [0, 0],
    [4, FEAT_BYTES],
    [12, 2 * FEAT_BYTES],
    [20, 3 * FEAT_BYTES],
  ];
  for (const [shift, off] of lanes) {
    // address = o + (((x >>> shift) & 0xff) << 4), as o + ((x >>> (shift)) & 0xff0) for shift > 0
    k.get(o);
    if (shift === 0) k.get(x).i32(255).and().i32(4).shl();
    else k.get(x).i32(shift).shrU().i32(0xff0).and();
    k.add().tee(ghv + 5); // address local
    k.get(ghv + 5)
      .v128Load(off)
      .get(ghv)
      .f64x2Add()
      .v128Store(off);
  }
  k.get(o)
    .i32(4 * FEAT_BYTES)
    .add()
    .set(o);
  k.get(w).i32(4).add().tee(w).get(wEnd).ltU().brIf(0);
  k.end();
  k.get(p).i32(4).add().tee(p).get(i1).ltU().brIf(0);
  k.end();
  k.end();
  // locals: ghv (v128), w, wEnd, o, x, addr (i32)
  return { params: nParams, locals: [0x7b, I32, I32, I32, I32, I32], body: k.b };
}

/**
 * split(i, iEnd, l, r, col, t, mb, dl) -> l: the stable branch-free partition of
 * row-partition.ts splitRows in byte offsets. For each row = idx at i (step 4, up to iEnd):
 * code c = col[row] (one byte per row); it goes left when (c === mb ? dl : c <= t). The row is
 * stored at both l and r and only its side's pointer advances; returns the final l.
 */
function splitBody(): { params: number; locals: number[]; body: number[] } {
  const [i, iEnd, l, r, col, t, mb, dl] = [0, 1, 2, 3, 4, 5, 6, 7];
  const row = 8;
  const c = 9;
  const le = 10;
  const go = 11;
  const k = new Body();
  k.block();
  k.get(i).get(iEnd).geU().brIf(0);
  k.loop();
  k.get(i).load().set(row);
  k.get(col).get(row).add().load8().set(c);
  // le = (c - t - 1) >>> 31
  k.get(c).get(t).sub().i32(1).sub().i32(31).shrU().set(le);
  // go = le ^ (miss & (le ^ dl)), miss = ((c ^ mb) - 1) >>> 31
  k.get(le);
  k.get(c).get(mb).xor().i32(1).sub().i32(31).shrU();
  k.get(le).get(dl).xor().and();
  k.xor().set(go);
  k.get(l).get(row).store();
  k.get(r).get(row).store();
  k.get(l).get(go).i32(2).shl().add().set(l);
  k.get(r).i32(4).add().get(go).i32(2).shl().sub().set(r);
  k.get(i).i32(4).add().tee(i).get(iEnd).ltU().brIf(0);
  k.end();
  k.end();
  k.get(l);
  return { params: 8, locals: [I32, I32, I32, I32], body: k.b };
}

function assemble(): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]): void => {
    out.push(id);
    uleb(body.length, out);
    for (const b of body) out.push(b);
  };
  const name = (s: string, o: number[]): void => {
    uleb(s.length, o);
    for (let i = 0; i < s.length; i++) o.push(s.charCodeAt(i));
  };
  const funcs = [
    { name: "hist4", f: hist4Body(), results: 0 },
    { name: "split", f: splitBody(), results: 1 },
  ];
  const types: number[] = [funcs.length];
  for (const { f, results } of funcs) {
    types.push(0x60);
    uleb(f.params, types);
    for (let i = 0; i < f.params; i++) types.push(I32);
    types.push(results);
    if (results) types.push(I32);
  }
  section(1, types);
  const imports: number[] = [1];
  name("env", imports);
  name("mem", imports);
  // shared memory, minimum 0 pages, maximum 65536 (4 GiB): any size can be imported
  imports.push(0x02, 0x03, 0x00);
  uleb(65536, imports);
  section(2, imports);
  section(3, [funcs.length, ...funcs.map((_, i) => i)]);
  const exps: number[] = [funcs.length];
  funcs.forEach(({ name: n }, i) => {
    name(n, exps);
    exps.push(0x00, i);
  });
  section(7, exps);
  const code: number[] = [funcs.length];
  for (const { f } of funcs) {
    const body: number[] = [];
    uleb(f.locals.length, body);
    for (const t of f.locals) body.push(1, t);
    for (const b of f.body) body.push(b);
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
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    m: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let moduleCache: object | null | undefined;

function histModule(): object | null {
  if (moduleCache !== undefined) return moduleCache;
  try {
    const bytes = assemble();
    moduleCache = api?.validate(bytes) ? new api.Module(bytes) : null;
  } catch {
    moduleCache = null;
  }
  return moduleCache;
}

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
