/**
 * A compressed sparse row matrix on typed arrays, and the two products the randomized SVD needs
 * (A X and Aᵀ X with a dense, row-major, thin X). Used for TF-IDF (movies x terms) and, by the
 * models layer, for the mean-centred user x movie rating matrix.
 *
 *   row i's entries: indices[indptr[i] .. indptr[i+1]) (column ids), data[same range] (values)
 *   dense thin X (n x l, row-major): X[r * l + j]
 */
export interface CsrMatrix {
  rows: number;
  cols: number;
  /** rows + 1 offsets into indices/data. */
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array | Float64Array;
}

/** Build a CSR matrix from (row, col, value) triplets (duplicates are summed by the products). */
export function csrFromTriplets(
  rows: number,
  cols: number,
  row: Int32Array,
  col: Int32Array,
  value: Float32Array | Float64Array,
): CsrMatrix {
  const nnz = row.length;
  const indptr = new Int32Array(rows + 1);
  for (let p = 0; p < nnz; p++) indptr[row[p] + 1]++;
  for (let i = 0; i < rows; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, rows);
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  for (let p = 0; p < nnz; p++) {
    const q = fill[row[p]]++;
    indices[q] = col[p];
    data[q] = value[p];
  }
  return { rows, cols, indptr, indices, data };
}

/** Y = A X, X is (a.cols x l) row-major, Y is (a.rows x l) row-major. */
export function csrTimesDense(a: CsrMatrix, x: Float64Array, l: number): Float64Array {
  const y = new Float64Array(a.rows * l);
  const { indptr, indices, data } = a;
  for (let i = 0; i < a.rows; i++) {
    const yo = i * l;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const d = data[p];
      const xo = indices[p] * l;
      for (let j = 0; j < l; j++) y[yo + j] += d * x[xo + j];
    }
  }
  return y;
}

/** Z = Aᵀ X, X is (a.rows x l) row-major, Z is (a.cols x l) row-major. */
export function csrTransposeTimesDense(a: CsrMatrix, x: Float64Array, l: number): Float64Array {
  const z = new Float64Array(a.cols * l);
  const { indptr, indices, data } = a;
  for (let i = 0; i < a.rows; i++) {
    const xo = i * l;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const d = data[p];
      const zo = indices[p] * l;
      for (let j = 0; j < l; j++) z[zo + j] += d * x[xo + j];
    }
  }
  return z;
}

/** Squared Frobenius norm of A. */
export function csrFrobenius2(a: CsrMatrix): number {
  let s = 0;
  for (let p = 0; p < a.indptr[a.rows]; p++) s += a.data[p] * a.data[p];
  return s;
}
