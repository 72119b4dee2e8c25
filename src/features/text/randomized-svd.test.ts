import assert from "node:assert/strict";
import { test } from "node:test";
import { rngFor } from "../../core/index.js";
import { type CsrMatrix, csrFromTriplets } from "./csr-matrix.js";
import { projectRows, randomizedSvd } from "./randomized-svd.js";
import { symmetricEigen } from "./symmetric-eigen.js";

/** A sparse random matrix with decaying spectrum-ish structure (low rank + noise). */
function sparseRandom(rows: number, cols: number, density: number, seed: number): CsrMatrix {
  const rng = rngFor(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  const f = 4;
  const a = Array.from({ length: rows * f }, () => rng.normal());
  const b = Array.from({ length: cols * f }, () => rng.normal());
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (rng.next() >= density) continue;
      let x = rng.normal() * 0.3;
      for (let t = 0; t < f; t++) x += (a[i * f + t] * b[j * f + t]) / (t + 1);
      r.push(i);
      c.push(j);
      v.push(x);
    }
  }
  return csrFromTriplets(rows, cols, Int32Array.from(r), Int32Array.from(c), Float64Array.from(v));
}

function dense(a: CsrMatrix): Float64Array {
  const d = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) d[i * a.cols + a.indices[p]] += a.data[p];
  }
  return d;
}

/** Exact singular values from the eigenvalues of AᵀA (Jacobi, to machine precision). */
function exactSingularValues(a: CsrMatrix): number[] {
  const d = dense(a);
  const n = a.cols;
  const g = new Float64Array(n * n);
  for (let i = 0; i < a.rows; i++) {
    for (let x = 0; x < n; x++)
      for (let y = 0; y < n; y++) g[x * n + y] += d[i * n + x] * d[i * n + y];
  }
  return [...symmetricEigen(g, n).values].map((l) => Math.sqrt(Math.max(0, l)));
}

function reconstructionError(a: CsrMatrix, k: number): number {
  const svd = randomizedSvd(a, k, { seed: 3 });
  const d = dense(a);
  let err = 0;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      let x = 0;
      for (let t = 0; t < k; t++) x += svd.u[i * k + t] * svd.s[t] * svd.v[j * k + t];
      err += (d[i * a.cols + j] - x) ** 2;
    }
  }
  return Math.sqrt(err);
}

test("symmetricEigen diagonalises a known matrix", () => {
  // [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,-1)/√2.
  const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
  assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
  assert.ok(Math.abs(Math.abs(vectors[0]) - Math.SQRT1_2) < 1e-12);
  assert.ok(Math.abs(vectors[0] - vectors[2]) < 1e-12);
});

test("randomized SVD: singular values match an exact SVD and error matches Eckart–Young", () => {
  const a = sparseRandom(120, 60, 0.3, 1);
  const exact = exactSingularValues(a);
  const k = 8;
  const svd = randomizedSvd(a, k, { seed: 11 });
  for (let j = 0; j < k; j++) {
    assert.ok(Math.abs(svd.s[j] - exact[j]) < 1e-4 * exact[j], `s${j}: ${svd.s[j]} vs ${exact[j]}`);
  }
  // Best rank-k error is sqrt(sum of the remaining squared singular values).
  const best = Math.sqrt(exact.slice(k).reduce((t, x) => t + x * x, 0));
  const got = reconstructionError(a, k);
  assert.ok(got >= best * (1 - 1e-9) && got < best * (1 + 1e-3), `${got} vs ${best}`);
});

test("randomized SVD: reconstruction error falls as k grows; factors are orthonormal", () => {
  const a = sparseRandom(80, 50, 0.25, 2);
  const errs = [1, 2, 4, 8, 16].map((k) => reconstructionError(a, k));
  for (let i = 1; i < errs.length; i++) assert.ok(errs[i] < errs[i - 1], `${errs}`);
  const k = 6;
  const svd = randomizedSvd(a, k, { seed: 1 });
  for (let x = 0; x < k; x++) {
    for (let y = 0; y < k; y++) {
      let du = 0;
      let dv = 0;
      for (let r = 0; r < a.rows; r++) du += svd.u[r * k + x] * svd.u[r * k + y];
      for (let c = 0; c < a.cols; c++) dv += svd.v[c * k + x] * svd.v[c * k + y];
      assert.ok(Math.abs(du - (x === y ? 1 : 0)) < 1e-9 && Math.abs(dv - (x === y ? 1 : 0)) < 1e-9);
    }
  }
});

test("randomized SVD: seeded determinism, rank-deficient input, projection = U S", () => {
  const a = sparseRandom(40, 30, 0.3, 3);
  const s1 = randomizedSvd(a, 5, { seed: 9, powerIterations: 12 });
  const s2 = randomizedSvd(a, 5, { seed: 9, powerIterations: 12 });
  assert.deepEqual(s1.u, s2.u);
  const p = projectRows(a, s1);
  for (let i = 0; i < a.rows * 5; i++)
    assert.ok(Math.abs(p[i] - s1.u[i] * s1.s[i % 5]) < 1e-3 * s1.s[0]);
  // Rank 2 matrix asked for 5 components: the extra singular values are ~0, never NaN.
  const low = csrFromTriplets(
    3,
    4,
    Int32Array.from([0, 1, 2, 2]),
    Int32Array.from([0, 1, 0, 1]),
    Float64Array.from([1, 2, 3, 4]),
  );
  const s = randomizedSvd(low, 5, { seed: 1 });
  assert.ok([...s.s, ...s.u, ...s.v].every(Number.isFinite));
  assert.ok(s.s[2] < 1e-6 && s.s[1] > 0.1);
});
