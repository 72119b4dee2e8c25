/**
 * The engine's input: a dense row-major Float32Array (rows x cols, NaN = missing) with one label
 * per row (0/1 for classification, any number for squared error). Any numeric table works; the
 * FeatureMatrix of the pipeline is one.
 */
import { CinerankError } from "../../core/index.js";

export interface TreeTable {
  values: Float32Array;
  rows: number;
  cols: number;
  labels: ArrayLike<number>;
}

/** Check shapes (and 0/1 labels when `binary`); returns the labels as Float32Array. */
export function checkTable(
  t: TreeTable,
  what: string,
  binary: boolean,
  needRows = false,
): Float32Array {
  if (!Number.isInteger(t.rows) || t.rows < 0 || !Number.isInteger(t.cols) || t.cols < 1) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `${what}: expected integer rows >= 0 and cols >= 1, got rows=${t.rows}, cols=${t.cols}`,
    );
  }
  if (needRows && t.rows < 1) {
    throw new CinerankError("ERR_INVALID_ARGUMENT", `${what}: no rows to train on`);
  }
  if (t.values.length !== t.rows * t.cols) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `${what}: values has ${t.values.length} entries, expected rows x cols = ${t.rows * t.cols}`,
    );
  }
  if (t.labels.length !== t.rows) {
    throw new CinerankError(
      "ERR_INVALID_ARGUMENT",
      `${what}: labels has ${t.labels.length} entries, expected one per row (${t.rows})`,
    );
  }
  const y = t.labels instanceof Float32Array ? t.labels : Float32Array.from(t.labels);
  for (let i = 0; i < t.rows; i++) {
    const v = y[i];
    if (binary ? v !== 0 && v !== 1 : !Number.isFinite(v)) {
      throw new CinerankError(
        "ERR_INVALID_ARGUMENT",
        `${what}: label of row ${i} is ${v}, expected ${binary ? "0 or 1" : "a finite number"}`,
      );
    }
  }
  return y;
}
