/**
 * Worker-thread entry for ALS half-steps (see als-engine.ts). Holds views on the shared buffers
 * from workerData; for each job it takes chunks of entities from the shared atomic counter until
 * none are left, then replies { ok: true }.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerInit, WorkerJob } from "./als-engine.js";
import { runRange, sideBuffers } from "./als-engine.js";
import { HalfStepScratch } from "./als-kernel.js";
import { AlsWasmThread } from "./als-wasm-kernel.js";

const init = workerData as WorkerInit;
const sh = init.shared;
let scratch: HalfStepScratch | null = null;
let wasm: AlsWasmThread | null = null;

parentPort?.on("message", (job: WorkerJob) => {
  try {
    const d = job.prm.explicit ? job.prm.k + 1 : job.prm.k;
    if (!scratch || scratch.d !== d) scratch = new HalfStepScratch(d);
    if (!wasm && sh.memory) {
      wasm = new AlsWasmThread(sh.memory, sh.slotBase + init.slot * sh.slotBytes, job.prm.W);
    }
    const buf = sideBuffers(sh, job.side, !job.prm.explicit);
    const n = buf.rows.rows;
    for (;;) {
      const from = Atomics.add(sh.counter, 0, job.chunk);
      if (from >= n) break;
      runRange(job.prm, buf, from, Math.min(n, from + job.chunk), scratch, wasm);
    }
    parentPort?.postMessage({ ok: true });
  } catch (e) {
    parentPort?.postMessage({ ok: false, error: (e as Error)?.stack ?? String(e) });
  }
});
