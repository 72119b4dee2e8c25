/**
 * Worker-thread entry for ALS half-steps (see als-engine.ts). Holds views on the shared buffers
 * from workerData; for each job it takes chunks of entities from the shared atomic counter until
 * none are left, then replies { ok: true }.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { AlsShared, WorkerJob } from "./als-engine.js";
import { sideBuffers } from "./als-engine.js";
import { alsHalfStep, HalfStepScratch } from "./als-kernel.js";

const sh = workerData as AlsShared;
let scratch: HalfStepScratch | null = null;

parentPort?.on("message", (job: WorkerJob) => {
  try {
    const d = job.prm.explicit ? job.prm.k + 1 : job.prm.k;
    if (!scratch || scratch.d !== d) scratch = new HalfStepScratch(d);
    const buf = sideBuffers(sh, job.side, !job.prm.explicit);
    const n = buf.rows.rows;
    for (;;) {
      const from = Atomics.add(sh.counter, 0, job.chunk);
      if (from >= n) break;
      alsHalfStep(job.prm, buf, from, Math.min(n, from + job.chunk), scratch);
    }
    parentPort?.postMessage({ ok: true });
  } catch (e) {
    parentPort?.postMessage({ ok: false, error: (e as Error)?.stack ?? String(e) });
  }
});
