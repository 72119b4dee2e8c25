/**
 * The conjugate-gradient ALS half-step with its per-rating passes in WebAssembly SIMD (f64x2):
 * the same minimiser and warm start as als-kernel.ts's CG path, about twice as fast, since a
 * CG-ALS iteration is nothing but dot products and axpys over the rated rows of the fixed side.
 *
 * Everything the passes touch lives in one shared WebAssembly.Memory (als-memory.ts): both
 * factor matrices (rows of W doubles, W a multiple of 4, so a row is whole 32-byte f64x2 pairs),
 * the two CSR index/value arrays and a few scratch vectors per thread. A pass reads the fixed
 * side's rows in place through the CSR indices (no gather copy): the design row of a rating is
 * the other side's factor row verbatim, and the solved row's fixed entries (the constant 1 that
 * pairs with the other side's bias, and zero padding) are "masked": they stay out of the CG
 * directions, so the dot product row . x is the full prediction minus the global mean.
 *
 * Two passes over the n ratings of one entity (each exported for one and for two rows per turn) (w_j = wA + wB v_j, t_j = tA + tB v_j
 * with v_j the stored rating):
 *
 *   resid:  r += (t_j - w_j row_j . x) row_j,   dg += w_j row_j * row_j   (residual, Jacobi)
 *   apply:  q += w_j (row_j . p) row_j                                     (q = A p, data part)
 *
 * Explicit MF: w = 1, t = r - mu. Implicit MF: w = alpha r (or alpha), t = 1 + w.
 */
import type { HalfStepParams } from "./als-kernel.js";
import type { SparseRows } from "./sparse-rows.js";
import {
  Code,
  F64,
  type FuncDef,
  I32,
  lazyModule,
  V128,
  type ValType,
  wasmApi,
  type WasmMemory,
} from "../wasm-assembler.js";

/** Allocates numbered locals after the params, remembering their types. */
class Locals {
  readonly types: ValType[] = [];
  constructor(private readonly nParams: number) {}
  add(t: ValType): number {
    this.types.push(t);
    return this.nParams + this.types.length - 1;
  }
  many(t: ValType, n: number): number[] {
    return Array.from({ length: n }, () => this.add(t));
  }
}

/**
 * One pass over the n ratings of an entity, R rows per loop turn (n a multiple of R): the R dot
 * products share each load of `vec`, and the R updates of the output vector(s) share each load
 * and store of them, which halves the vector traffic per rating at R = 2.
 *
 *   resid (mode "resid"):  out0 += (t_j - w_j s_j) row_j;  out1 += w_j row_j * row_j;  s_j = row_j . vec
 *   apply (mode "apply"):  out0 += (w_j s_j) row_j
 */
function passFunc(mode: "resid" | "apply", R: number): FuncDef {
  const resid = mode === "resid";
  // params: idx val n Y rb vec out0 [out1] wA wB [tA tB]
  const params: ValType[] = resid
    ? [I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64, F64]
    : [I32, I32, I32, I32, I32, I32, I32, F64, F64];
  const [idx, val, n, Y, rb, vec, out0] = [0, 1, 2, 3, 4, 5, 6];
  const out1 = resid ? 7 : -1;
  const wA = resid ? 8 : 7;
  const wB = wA + 1;
  const tA = resid ? 10 : -1;
  const tB = resid ? 11 : -1;
  const L = new Locals(params.length);
  const j4 = L.add(I32);
  const end4 = L.add(I32);
  const cc = L.add(I32);
  const row = L.many(I32, R);
  const vj = L.many(F64, R);
  const wj = L.many(F64, R);
  const s = L.many(F64, R);
  const acc0 = L.many(V128, R);
  const acc1 = L.many(V128, R);
  const cv = L.many(V128, R);
  const wv = L.many(V128, R);
  const a = L.many(V128, R);
  const xv = L.add(V128);
  const c = new Code();
  c.get(n).i32(2).i32Shl().set(end4).i32(0).set(j4);
  c.loop();
  for (let i = 0; i < R; i++) {
    c.get(val)
      .get(j4)
      .i32Add()
      .f32Load(4 * i)
      .f64PromoteF32()
      .set(vj[i]);
    c.get(wA).get(wB).get(vj[i]).f64Mul().f64Add().set(wj[i]);
    c.get(Y)
      .get(idx)
      .get(j4)
      .i32Add()
      .i32Load(4 * i)
      .get(rb)
      .i32Mul()
      .i32Add()
      .set(row[i]);
    c.v128Zero().set(acc0[i]).v128Zero().set(acc1[i]);
  }
  // dot products
  c.i32(0).set(cc);
  c.loop();
  for (const [off, acc] of [
    [0, acc0],
    [16, acc1],
  ] as const) {
    c.get(vec).get(cc).i32Add().v128Load(off).set(xv);
    for (let i = 0; i < R; i++) {
      c.get(acc[i]).get(row[i]).get(cc).i32Add().v128Load(off);
      c.get(xv).f64x2Mul().f64x2Add().set(acc[i]);
    }
  }
  c.get(cc).i32(32).i32Add().set(cc);
  c.get(cc).get(rb).i32LtU().brIf(0);
  c.end();
  for (let i = 0; i < R; i++) {
    c.get(acc0[i]).get(acc1[i]).f64x2Add().set(acc0[i]);
    c.get(acc0[i]).f64x2Lane(0).get(acc0[i]).f64x2Lane(1).f64Add().set(s[i]);
    if (resid) {
      c.get(tA).get(tB).get(vj[i]).f64Mul().f64Add().get(wj[i]).get(s[i]).f64Mul().f64Sub();
      c.f64x2Splat().set(cv[i]);
      c.get(wj[i]).f64x2Splat().set(wv[i]);
    } else {
      c.get(wj[i]).get(s[i]).f64Mul().f64x2Splat().set(cv[i]);
    }
  }
  // updates
  c.i32(0).set(cc);
  c.loop();
  for (const off of [0, 16]) {
    for (let i = 0; i < R; i++) c.get(row[i]).get(cc).i32Add().v128Load(off).set(a[i]);
    c.get(out0).get(cc).i32Add();
    c.get(out0).get(cc).i32Add().v128Load(off);
    for (let i = 0; i < R; i++) c.get(cv[i]).get(a[i]).f64x2Mul().f64x2Add();
    c.v128Store(off);
    if (resid) {
      c.get(out1).get(cc).i32Add();
      c.get(out1).get(cc).i32Add().v128Load(off);
      for (let i = 0; i < R; i++) c.get(wv[i]).get(a[i]).f64x2Mul().get(a[i]).f64x2Mul().f64x2Add();
      c.v128Store(off);
    }
  }
  c.get(cc).i32(32).i32Add().set(cc);
  c.get(cc).get(rb).i32LtU().brIf(0);
  c.end();
  c.get(j4)
    .i32(4 * R)
    .i32Add()
    .set(j4);
  c.get(j4).get(end4).i32LtU().brIf(0);
  c.end();
  return { name: `${mode}${R}`, params, locals: L.types, body: c };
}

/**
 * Rows per loop turn of the main passes (the remainder runs one row per turn): 4 measured best
 * of 2 / 4 / 8 on 2M synthetic ratings, k = 64 (0.60-0.81 vs 0.71-0.91 and 0.79-0.95 CPU s per
 * single-thread iteration on the loaded machine).
 */
const RT = 4;

/** The compiled kernel module, or null where WebAssembly SIMD is unavailable. */
export const alsWasmModule = lazyModule(() =>
  [1, RT].flatMap((R) => [passFunc("resid", R), passFunc("apply", R)]),
);

type Resid = (
  idx: number,
  val: number,
  n: number,
  Y: number,
  rb: number,
  x: number,
  r: number,
  dg: number,
  wA: number,
  wB: number,
  tA: number,
  tB: number,
) => void;
type Apply = (
  idx: number,
  val: number,
  n: number,
  Y: number,
  rb: number,
  p: number,
  q: number,
  wA: number,
  wB: number,
) => void;

/** Number of W-length scratch vectors per thread slot (r, p, q, dg). */
export const SLOT_VECTORS = 4;

/** One thread's instance of the kernel and its scratch vectors (views into the memory). */
export class AlsWasmThread {
  private readonly resid1: Resid;
  private readonly residR: Resid;
  private readonly apply1: Apply;
  private readonly applyR: Apply;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly q: Float64Array;
  readonly dg: Float64Array;
  readonly z: Float64Array;
  readonly dreg: Float64Array;
  readonly free: Uint8Array;

  constructor(memory: WasmMemory, slotOffset: number, W: number) {
    const mod = alsWasmModule();
    if (!mod || !wasmApi) throw new Error("WebAssembly SIMD is not available");
    const inst = new wasmApi.Instance(mod, { env: { mem: memory } });
    this.resid1 = inst.exports.resid1 as unknown as Resid;
    this.residR = inst.exports[`resid${RT}`] as unknown as Resid;
    this.apply1 = inst.exports.apply1 as unknown as Apply;
    this.applyR = inst.exports[`apply${RT}`] as unknown as Apply;
    const buf = memory.buffer;
    const v = (i: number) => new Float64Array(buf, slotOffset + i * W * 8, W);
    this.r = v(0);
    this.p = v(1);
    this.q = v(2);
    this.dg = v(3);
    this.z = new Float64Array(W);
    this.dreg = new Float64Array(W);
    this.free = new Uint8Array(W);
  }

  /**
   * Solve entities [from, to) of one side: `cgSteps` Jacobi-preconditioned CG steps per row,
   * warm-started at the current row. `gram` (implicit MF) is Y^T Y of the fixed side (k x k).
   */
  halfStep(
    prm: HalfStepParams,
    rows: SparseRows,
    X: Float64Array,
    Y: Float64Array,
    gram: Float64Array | null,
    loss: Float64Array,
    from: number,
    to: number,
  ): void {
    const { k, W, explicit } = prm;
    const { r, p, q, dg, z, dreg, free } = this;
    const rb = W * 8;
    const idxB = rows.idx.byteOffset;
    const valB = rows.val.byteOffset;
    const xB = X.byteOffset;
    const yB = Y.byteOffset;
    const rB = r.byteOffset;
    const pB = p.byteOffset;
    const qB = q.byteOffset;
    const dB = dg.byteOffset;
    // per-rating weight and target as affine functions of the stored rating (see header)
    const wA = explicit ? 1 : prm.binary ? prm.alpha : 0;
    const wB = explicit ? 0 : prm.binary ? 0 : prm.alpha;
    const tA = explicit ? -prm.mu : 1 + wA;
    const tB = explicit ? 1 : wB;
    free.fill(0);
    for (let c = 0; c < k; c++) free[c] = 1;
    if (explicit) free[prm.biasPos] = 1;
    const G = explicit ? null : gram;
    const ptr = rows.ptr;
    for (let e = from; e < to; e++) {
      const start = ptr[e];
      const n = ptr[e + 1] - start;
      const xo = e * W;
      if (n === 0) {
        // no ratings: the minimiser is the zero vector (biases 0 = predict from the other side)
        for (let c = 0; c < k; c++) X[xo + c] = 0;
        if (explicit) X[xo + prm.biasPos] = 0;
        if (prm.lossMode) loss[e] = 0;
        continue;
      }
      const scale = prm.weightedReg ? n : 1;
      for (let c = 0; c < W; c++) dreg[c] = 0;
      for (let c = 0; c < k; c++) dreg[c] = prm.regFactor * scale;
      if (explicit) dreg[prm.biasPos] = prm.regBias * scale;
      r.fill(0);
      dg.fill(0);
      // RT ratings per turn, then the rest
      const i0 = idxB + 4 * start;
      const v0 = valB + 4 * start;
      const main = n - (n % RT);
      const rest = n - main;
      if (main) this.residR(i0, v0, main, yB, rb, xB + xo * 8, rB, dB, wA, wB, tA, tB);
      if (rest)
        this.resid1(
          i0 + 4 * main,
          v0 + 4 * main,
          rest,
          yB,
          rb,
          xB + xo * 8,
          rB,
          dB,
          wA,
          wB,
          tA,
          tB,
        );
      for (let c = 0; c < W; c++) {
        if (free[c]) {
          r[c] -= dreg[c] * X[xo + c];
          dg[c] += dreg[c];
        } else {
          r[c] = 0;
          dg[c] = 1;
        }
      }
      if (G) {
        for (let i = 0; i < k; i++) {
          let gi = 0;
          const ro = i * k;
          for (let c = 0; c < k; c++) gi += G[ro + c] * X[xo + c];
          r[i] -= gi;
          dg[i] += G[ro + i];
        }
      }
      let rz = 0;
      for (let c = 0; c < W; c++) {
        z[c] = r[c] / dg[c];
        p[c] = z[c];
        rz += r[c] * z[c];
      }
      for (let step = 0; step < prm.cgSteps; step++) {
        if (!(rz > 1e-30)) break;
        for (let c = 0; c < W; c++) q[c] = dreg[c] * p[c];
        if (main) this.applyR(i0, v0, main, yB, rb, pB, qB, wA, wB);
        if (rest) this.apply1(i0 + 4 * main, v0 + 4 * main, rest, yB, rb, pB, qB, wA, wB);
        if (G) {
          for (let i = 0; i < k; i++) {
            let gi = 0;
            const ro = i * k;
            for (let c = 0; c < k; c++) gi += G[ro + c] * p[c];
            q[i] += gi;
          }
        }
        let pq = 0;
        for (let c = 0; c < W; c++) {
          if (!free[c]) q[c] = 0;
          pq += p[c] * q[c];
        }
        if (!(pq > 0)) break;
        const alpha = rz / pq;
        let rzNew = 0;
        for (let c = 0; c < W; c++) {
          X[xo + c] += alpha * p[c];
          r[c] -= alpha * q[c];
          z[c] = r[c] / dg[c];
          rzNew += r[c] * z[c];
        }
        const beta = rzNew / rz;
        rz = rzNew;
        for (let c = 0; c < W; c++) p[c] = z[c] + beta * p[c];
      }
      if (prm.lossMode) loss[e] = this.entityLoss(prm, rows, X, Y, G, e, start, n);
    }
  }

  /** Regularisation (+ data when lossMode 2) term of entity e after its solve. */
  private entityLoss(
    prm: HalfStepParams,
    rows: SparseRows,
    X: Float64Array,
    Y: Float64Array,
    G: Float64Array | null,
    e: number,
    start: number,
    n: number,
  ): number {
    const { k, W, explicit } = prm;
    const xo = e * W;
    let reg = 0;
    for (let c = 0; c < W; c++) reg += this.dreg[c] * X[xo + c] * X[xo + c];
    if (prm.lossMode !== 2) return reg;
    let data = 0;
    for (let j = 0; j < n; j++) {
      const yo = rows.idx[start + j] * W;
      let s = 0;
      for (let c = 0; c < W; c++) s += X[xo + c] * Y[yo + c];
      const v = rows.val[start + j];
      if (explicit) {
        const res = v - prm.mu - s;
        data += res * res;
      } else {
        // sum over rated items of c (1 - s)^2 - s^2; the unrated part is x^T G x below
        const w = prm.binary ? prm.alpha : prm.alpha * v;
        const res = 1 - s;
        data += (1 + w) * res * res - s * s;
      }
    }
    if (G) {
      for (let i = 0; i < k; i++) {
        let gi = 0;
        for (let c = 0; c < k; c++) gi += G[i * k + c] * X[xo + c];
        data += X[xo + i] * gi;
      }
    }
    return data + reg;
  }
}
