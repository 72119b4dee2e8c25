/**
 * Level jobs: depth-wise boosting grows a whole tree level per job instead of one node per job
 * (grower.ts growByLevel). Each job is a list of work units in ws.units (UNIT_INTS ints each,
 * ws.jobI[J_UNITS] of them) that threads claim one at a time; every unit writes its own outputs,
 * so which thread runs which unit never changes a result. The kinds:
 *
 *   LPART   [_, a, b, f, bin, defaultLeft]: stable split of idx[a..b) by feature f (a piece of
 *           a node; a node may be cut into several): left rows to partL[a..), right rows to
 *           partR[a..), left count to unitOut[u]
 *   LSTITCH the same units plus [6] destL, [7] destR: copy the piece's left rows back to
 *           idx[destL..) and its right rows to idx[destR..) (the grower computes both from the
 *           left counts: the concatenation of the pieces' left rows, then their right rows, is
 *           the order of one stable pass over the node)
 *   LHIST   [2, n, identity]: SUMS unit, the root's G and H (rows idx[0..n)) into evalGHN[0..1]
 *           (the root's eval set is 0; only its LFINISH job reads them)
 *           [0, a, b, c]: BLOCK unit, histogram of rows idx[a..b) over all the job's features
 *           into row-block histogram c (a block of a large node, HIST_BLOCK_ROWS or more rows)
 *           [1, start, end, buildSlot, parentSlot, evalB, evalS, ga, gb]: NODE unit, for the
 *           4-feature groups [ga, gb): histogram of rows idx[start..end) into buildSlot, then
 *           (parentSlot >= 0) parentSlot -= buildSlot, then best splits of eval set evalB (the
 *           larger child, at parentSlot) and evalS (the built child, at buildSlot); -1 = none
 *   LFINISH [_, _, _, buildSlot, parentSlot, evalB, evalS, ga, gb, blockBase, nb]: for a node
 *           built in blocks, buildSlot = the sum of blocks blockBase.. blockBase+nb-1 in block
 *           order, then subtraction and best splits as a NODE unit, for groups [ga, gb)
 *
 * Sums per histogram bin always run in row order (NODE) or block order over row-ordered blocks
 * (BLOCK + LFINISH, the same blocks as a node-by-node blocked build), so a level job computes
 * exactly the numbers of the node-by-node jobs in workspace.ts.
 */
import { subtractHistogram } from "./histogram.js";
import { splitRows } from "./row-partition.js";
import {
  blockOff,
  buildRows,
  evalFeatures,
  KIND_LFINISH,
  KIND_LHIST,
  KIND_LPART,
  KIND_LSTITCH,
  J_NFEATS,
  UNIT_INTS,
  type Workspace,
} from "./workspace.js";

export const UNIT_BLOCK = 0;
export const UNIT_NODE = 1;
export const UNIT_SUMS = 2;

/** Run work unit u of the current level job. */
export function runLevelUnit(ws: Workspace, kind: number, u: number): void {
  const U = ws.units;
  const o = u * UNIT_INTS;
  if (kind === KIND_LPART) {
    ws.unitOut[u] = splitPiece(ws, U[o + 1], U[o + 2], U[o + 3], U[o + 4], U[o + 5]) - U[o + 1];
  } else if (kind === KIND_LSTITCH) {
    const a = U[o + 1];
    const nl = ws.unitOut[u];
    const nr = U[o + 2] - a - nl;
    if (nl > 0) ws.idx.set(ws.partL.subarray(a, a + nl), U[o + 6]);
    if (nr > 0) ws.idx.set(ws.partR.subarray(a, a + nr), U[o + 7]);
  } else if (kind === KIND_LHIST) {
    const nf = ws.jobI[J_NFEATS];
    if (nf === 0) return;
    const feats = ws.feats;
    const g0 = feats[0] >> 2;
    const g1 = (feats[nf - 1] >> 2) + 1;
    const dense = ws.layout.ch === 2 && ws.cols % 4 === 0 && 2 * nf >= 4 * (g1 - g0);
    if (U[o] === UNIT_SUMS) {
      const [G, H] = rootSums(ws, U[o + 1], U[o + 2] === 1);
      ws.evalGHN[0] = G;
      ws.evalGHN[1] = H;
      return;
    }
    if (U[o] === UNIT_BLOCK) {
      buildRows(ws, blockOff(ws, U[o + 3]), U[o + 1], U[o + 2], dense, g0, g1, 0, nf);
      return;
    }
    const [a, b] = featureRange(ws, U[o + 7], U[o + 8]);
    const buildOff = U[o + 3] * ws.layout.size;
    buildRows(ws, buildOff, U[o + 1], U[o + 2], dense, U[o + 7], U[o + 8], a, b);
    subtractAndEval(ws, o, a, b);
  } else if (kind === KIND_LFINISH) {
    const [a, b] = featureRange(ws, U[o + 7], U[o + 8]);
    const fs = ws.layout.featStride;
    const h = ws.hist;
    const feats = ws.feats;
    const buildOff = U[o + 3] * ws.layout.size;
    const base = U[o + 9];
    const nb = U[o + 10];
    for (let j = a; j < b; j++) {
      const d = buildOff + feats[j] * fs;
      const o0 = blockOff(ws, base) + feats[j] * fs;
      h.copyWithin(d, o0, o0 + fs);
      for (let c = 1; c < nb; c++) {
        const oc = blockOff(ws, base + c) + feats[j] * fs;
        for (let k = 0; k < fs; k++) h[d + k] += h[oc + k];
      }
    }
    subtractAndEval(ws, o, a, b);
  }
}

/**
 * Gradient and hessian sums of rows idx[0..n), in position order (`identity`: idx[i] = i, read
 * without the indirection: the same sums in the same order).
 */
export function rootSums(ws: Workspace, n: number, identity: boolean): [number, number] {
  let G = 0;
  let H = 0;
  const gh = ws.gh;
  if (identity) {
    for (let i = 0; i < 2 * n; i += 2) {
      G += gh[i];
      H += gh[i + 1];
    }
  } else {
    const idx = ws.idx;
    for (let i = 0; i < n; i++) {
      const r = idx[i];
      G += gh[2 * r];
      H += gh[2 * r + 1];
    }
  }
  return [G, H];
}

/** Positions [a, b) in ws.feats of the features in 4-feature groups [ga, gb). */
function featureRange(ws: Workspace, ga: number, gb: number): [number, number] {
  const nf = ws.jobI[J_NFEATS];
  const feats = ws.feats;
  let a = 0;
  while (a < nf && feats[a] >> 2 < ga) a++;
  let b = a;
  while (b < nf && feats[b] >> 2 < gb) b++;
  return [a, b];
}

/** parentSlot -= buildSlot (when >= 0), then best splits of evalB and evalS for feats[a..b). */
function subtractAndEval(ws: Workspace, o: number, a: number, b: number): void {
  const U = ws.units;
  const size = ws.layout.size;
  const buildSlot = U[o + 3];
  const parentSlot = U[o + 4];
  if (parentSlot >= 0) {
    subtractHistogram(ws.hist, parentSlot * size, buildSlot * size, ws.layout, ws.feats, a, b);
  }
  if (U[o + 5] >= 0) evalSet(ws, U[o + 5], parentSlot * size, a, b);
  if (U[o + 6] >= 0) evalSet(ws, U[o + 6], buildSlot * size, a, b);
}

/** Best split per feature feats[a..b) of eval set e, whose histogram is at off. */
function evalSet(ws: Workspace, e: number, off: number, a: number, b: number): void {
  const S = ws.evalGHN;
  evalFeatures(ws, e, off, S[3 * e], S[3 * e + 1], S[3 * e + 2], a, b);
}

/** Stable split of idx[a..b): left rows to partL[a..), right rows to partR[a..); returns a + left. */
function splitPiece(
  ws: Workspace,
  a: number,
  b: number,
  f: number,
  bin: number,
  dl: number,
): number {
  const rows = ws.rows;
  const W = ws.wasm;
  if (ws.split && W) {
    return (
      (ws.split(
        W.idx + 4 * a,
        W.idx + 4 * b,
        W.partL + 4 * a,
        W.partR + 4 * a,
        W.binsT + f * rows,
        bin,
        ws.missingBin[f] & 511,
        dl & 1,
      ) -
        W.partL) >>
      2
    );
  }
  const col = ws.binsT.subarray(f * rows, (f + 1) * rows);
  return splitRows(ws.idx, ws.partL, ws.partR, col, a, b, a, a, bin, ws.missingBin[f], dl);
}
