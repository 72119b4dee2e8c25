/**
 * Compressed sparse rows (CSR) of a ratings matrix, built by counting sort, in SharedArrayBuffers
 * so worker threads read them without copies. Built twice for ALS: by user (user -> movies) and
 * by movie (movie -> users).
 *
 *   ptr:  [0, n0, n0+n1, ...]            length rows + 1
 *   idx:  [ cols of row 0 | cols of row 1 | ... ]    length nnz  (input order within a row)
 *   val:  [ values, aligned with idx ]
 */
export interface SparseRows {
  rows: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

function shared<T extends Int32Array | Float32Array>(
  Ctor: { new (buf: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  n: number,
): T {
  return new Ctor(new SharedArrayBuffer(Math.max(1, n) * Ctor.BYTES_PER_ELEMENT));
}

/**
 * Rows indexed by `row[i]`, holding column `col[i]` with value `val[i]`. `into` places idx and
 * val in given arrays of length nnz (e.g. views into a WebAssembly memory) instead of new ones.
 */
export function buildSparseRows(
  rows: number,
  row: Int32Array,
  col: Int32Array,
  val: Float32Array,
  into?: { idx: Int32Array; val: Float32Array },
): SparseRows {
  const nnz = row.length;
  const ptr = shared(Int32Array, rows + 1);
  for (let i = 0; i < nnz; i++) ptr[row[i] + 1]++;
  for (let r = 0; r < rows; r++) ptr[r + 1] += ptr[r];
  const fill = ptr.slice(0, rows);
  const idx = into?.idx ?? shared(Int32Array, nnz);
  const v = into?.val ?? shared(Float32Array, nnz);
  for (let i = 0; i < nnz; i++) {
    const p = fill[row[i]]++;
    idx[p] = col[i];
    v[p] = val[i];
  }
  return { rows, ptr, idx, val: v };
}

/** Largest row length (sizes the per-worker scratch buffers). */
export function maxRowLength(s: SparseRows): number {
  let m = 0;
  for (let r = 0; r < s.rows; r++) m = Math.max(m, s.ptr[r + 1] - s.ptr[r]);
  return m;
}
