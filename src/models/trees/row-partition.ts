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
  const dl = node.defaultLeft === 1;
  const mb = ws.missingBin[f];
  const col = binsT.subarray(f * rows, (f + 1) * rows);
  let l = node.start;
  let k = 0;
  for (let i = node.start; i < node.end; i++) {
    const r = idx[i];
    const b = col[r];
    if (b === mb ? dl : b <= t) idx[l++] = r;
    else scratch[k++] = r;
  }
  idx.set(scratch.subarray(0, k), l);
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
