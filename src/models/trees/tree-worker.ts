/**
 * Worker thread entry for the tree engine (see worker-pool.ts). In "jobs" mode it claims chunks
 * of each histogram job of the shared workspace, woken through the Atomics control block. In
 * "forest" mode it grows whole forest trees (forest-builder.ts) and posts each one back.
 * (Prediction has its own pool: predict-pool.ts.)
 */
import { parentPort, workerData } from "node:worker_threads";
import { type ForestTask, growForestPart } from "./forest-builder.js";
import { CMD, CMD_EXIT, claimChunks, GEN } from "./worker-pool.js";
import { attachWorkspace, type WorkspaceBuffers } from "./workspace.js";

interface JobsData {
  mode: "jobs";
  buffers: WorkspaceBuffers;
  ctrl: SharedArrayBuffer;
  chunks: number;
  /** Profiling clocks (worker-pool.ts) and this worker's thread number in them. */
  times: SharedArrayBuffer;
  part: number;
}

const data = workerData as JobsData;
if (data.mode === "jobs") {
  const ws = attachWorkspace(data.buffers);
  const ctrl = new Int32Array(data.ctrl);
  const times = new Float64Array(data.times);
  let gen = Atomics.load(ctrl, GEN);
  parentPort?.postMessage("ready");
  for (;;) {
    Atomics.wait(ctrl, GEN, gen);
    const now = Atomics.load(ctrl, GEN);
    if (now === gen) continue;
    gen = now;
    if (Atomics.load(ctrl, CMD) === CMD_EXIT) break;
    claimChunks(ws, ctrl, times, data.part);
  }
}

interface ForestData {
  mode: "forest";
  task: ForestTask;
  counter: SharedArrayBuffer;
}

const fdata = workerData as ForestData;
if (fdata.mode === "forest") {
  const counter = new Int32Array(fdata.counter);
  const { oobSum, oobCount } = growForestPart(fdata.task, counter, (t, forest, gain) => {
    const arrays = [
      forest.treeStart,
      forest.feature,
      forest.threshold,
      forest.left,
      forest.defaultLeft,
      forest.value,
      forest.cover,
    ];
    parentPort?.postMessage(
      { kind: "tree", t, forest, gain },
      arrays.map((a) => a.buffer as ArrayBuffer),
    );
  });
  parentPort?.postMessage({ kind: "done", oobSum, oobCount }, [
    oobSum.buffer as ArrayBuffer,
    oobCount.buffer as ArrayBuffer,
  ]);
}
