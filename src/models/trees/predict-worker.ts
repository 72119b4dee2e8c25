/**
 * Worker thread of the prediction pool (predict-pool.ts): waits on the shared control block,
 * claims chunks of each job and scores them with the cached forest into the shared output.
 * Forests and buffers arrive as messages on its own port, drained synchronously
 * (receiveMessageOnPort) since this thread never returns to its event loop.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { PredictLayout } from "./packed-tree.js";
import {
  CHUNK_ROWS,
  P_ACTIVE,
  P_BUFS,
  P_CHUNKS,
  P_CMD,
  P_CMD_EXIT,
  P_COLS,
  P_DONE,
  P_ERR,
  P_FOREST,
  P_GEN,
  P_NEXT,
  P_ROWS,
  P_WORKER_CHUNKS,
  type PoolMessage,
} from "./predict-pool.js";

const {
  ctrl: ctrlBuf,
  scale: scaleBuf,
  port,
  index,
} = workerData as {
  ctrl: SharedArrayBuffer;
  scale: SharedArrayBuffer;
  port: MessagePort;
  index: number;
};
const ctrl = new Int32Array(ctrlBuf);
const scaleArr = new Float64Array(scaleBuf);
const forests = new Map<number, PredictLayout>();
let version = 0;
let values = new Float32Array(new SharedArrayBuffer(0));
let out = new Float64Array(new SharedArrayBuffer(0));

function drain(): void {
  for (;;) {
    const m = receiveMessageOnPort(port);
    if (m === undefined) return;
    const msg = m.message as PoolMessage;
    if (msg.kind === "forest") {
      forests.set(
        msg.id,
        new PredictLayout(msg.forest.roots, msg.forest.rec, msg.forest.leaf, msg.forest.depth),
      );
    } else if (msg.kind === "drop") forests.delete(msg.id);
    else {
      version = msg.version;
      values = new Float32Array(msg.values);
      out = new Float64Array(msg.out);
    }
  }
}

function runJob(): void {
  for (;;) {
    const c = Atomics.add(ctrl, P_NEXT, 1);
    if (c >= Atomics.load(ctrl, P_CHUNKS)) return;
    try {
      let forest = forests.get(Atomics.load(ctrl, P_FOREST));
      if (forest === undefined || version !== Atomics.load(ctrl, P_BUFS)) {
        drain();
        forest = forests.get(Atomics.load(ctrl, P_FOREST));
      }
      if (forest === undefined || version !== Atomics.load(ctrl, P_BUFS)) {
        throw new Error("prediction worker: forest or buffers missing");
      }
      const rows = Atomics.load(ctrl, P_ROWS);
      const cols = Atomics.load(ctrl, P_COLS);
      const r0 = c * CHUNK_ROWS;
      forest.addRaw(
        values,
        cols,
        r0,
        Math.min(rows, r0 + CHUNK_ROWS),
        0,
        forest.trees,
        scaleArr[0],
        out,
      );
      Atomics.add(ctrl, P_WORKER_CHUNKS, 1);
    } catch {
      Atomics.store(ctrl, P_ERR, 1);
    }
    if (Atomics.add(ctrl, P_DONE, 1) + 1 >= Atomics.load(ctrl, P_CHUNKS))
      Atomics.notify(ctrl, P_DONE);
  }
}

let gen = Atomics.load(ctrl, P_GEN);
for (;;) {
  Atomics.wait(ctrl, P_GEN, gen);
  const now = Atomics.load(ctrl, P_GEN);
  if (now === gen) continue;
  gen = now;
  if (Atomics.load(ctrl, P_CMD) === P_CMD_EXIT) break;
  drain();
  if (index < Atomics.load(ctrl, P_ACTIVE)) runJob();
}
