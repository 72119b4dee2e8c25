/**
 * Splitting a node's rows in two, stably (rows keep their relative order, so later histogram
 * builds still read the bin matrix forwards). Rows with bin <= t go left; rows in the missing
 * bin follow the split's default direction.
 *
 *   before: [ ... | rows of node (start..end)                 | ... ]
 *   after:  [ ... | left child (start..mid) | right (mid..end) | ... ]
 */
import type { OpenNode } from "./grower.js";
import type { Workspace } from "./workspace.js";

/** Index mode: permute ws.idx, reading the split feature's codes column-wise; returns mid. */
export function partitionIndices(ws: Workspace, node: OpenNode, scratch: Int32Array): number {
  const { idx, binsT, rows } = ws;
  const f = node.feature;
  const t = node.bin;
  const W = ws.wasm;
  if (ws.split && W) {
    // left rows in place, right rows to partR from 0, then back after the left ones
    const lb = ws.split(
      W.idx + 4 * node.start,
      W.idx + 4 * node.end,
      W.idx + 4 * node.start,
      W.partR,
      W.binsT + f * rows,
      t,
      ws.missingBin[f] & 511,
      node.defaultLeft & 1,
    );
    const mid = (lb - W.idx) >> 2;
    idx.set(ws.partR.subarray(0, node.end - mid), mid);
    return mid;
  }
  const col = binsT.subarray(f * rows, (f + 1) * rows);
  const l = splitRows(
    idx,
    idx,
    scratch,
    col,
    node.start,
    node.end,
    node.start,
    0,
    t,
    ws.missingBin[f],
    node.defaultLeft,
  );
  idx.set(scratch.subarray(0, node.end - l), l);
  return l;
}

/**
 * Stable split of rows src[a..b) by their code in `col`: left rows to left[l0..), right rows to
 * right[r0..); returns the end of the left rows. Branch-free (the direction of a row is as good
 * as random, and a mispredicted branch per row cost more than both stores): each row is written
 * to both outputs and only the side it belongs to advances. left may be src (l never passes i).
 *
 *   goes left = missing ? defaultLeft : code <= t
 */
export function splitRows(
  src: Int32Array,
  left: Int32Array,
  right: Int32Array,
  col: Uint8Array,
  a: number,
  b: number,
  l0: number,
  r0: number,
  t: number,
  missingBin: number,
  defaultLeft: number,
): number {
  // no missing bin (-1) becomes 511, which no code equals
  const mb = missingBin & 511;
  const dl = defaultLeft & 1;
  let l = l0;
  let r = r0;
  for (let i = a; i < b; i++) {
    const row = src[i];
    const c = col[row];
    const le = (c - t - 1) >>> 31;
    const miss = ((c ^ mb) - 1) >>> 31;
    const go = le ^ (miss & (le ^ dl));
    left[l] = row;
    right[r] = row;
    l += go;
    r += 1 - go;
  }
  return l;
}

/**
 * Moving-rows mode (grower.ts): each row's codes, gradient pair and source row id move with it;
 * idx stays the identity. Right-hand rows wait in the scratch buffers; returns mid.
 */
export function partitionMoving(
  ws: Workspace,
  node: OpenNode,
  orig: Int32Array,
  sOrig: Int32Array,
  sRows: Uint32Array,
  sGh: Float64Array,
): number {
  const { bins, bins32, gh } = ws;
  const stride = ws.cols;
  const w = stride >> 2;
  const f = node.feature;
  const t = node.bin;
  const dl = node.defaultLeft === 1;
  const mb = ws.missingBin[f];
  let l = node.start;
  let k = 0;
  for (let i = node.start; i < node.end; i++) {
    const b = bins[i * stride + f];
    if (b === mb ? dl : b <= t) {
      if (l !== i) {
        // l < i: moving forward in place never overwrites a row still to be read
        for (let q = 0; q < w; q++) bins32[l * w + q] = bins32[i * w + q];
        gh[2 * l] = gh[2 * i];
        gh[2 * l + 1] = gh[2 * i + 1];
        orig[l] = orig[i];
      }
      l++;
    } else {
      for (let q = 0; q < w; q++) sRows[k * w + q] = bins32[i * w + q];
      sGh[2 * k] = gh[2 * i];
      sGh[2 * k + 1] = gh[2 * i + 1];
      sOrig[k] = orig[i];
      k++;
    }
  }
  // the right-hand rows go back after the left ones (plain loops: no subarray garbage)
  const o32 = l * w;
  for (let q = 0; q < k * w; q++) bins32[o32 + q] = sRows[q];
  for (let q = 0; q < 2 * k; q++) gh[2 * l + q] = sGh[q];
  for (let q = 0; q < k; q++) orig[l + q] = sOrig[q];
  return l;
}
