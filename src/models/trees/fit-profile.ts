/**
 * Where a boosting fit's wall time goes, for benches and tuning the engine (never printed by the
 * library: `trainGbdt(..., { profile })` fills the object and the caller reads it).
 *
 * Per job kind of the worker pool: how many jobs ran, their wall time on the calling thread, how
 * much of it the calling thread spent computing chunks itself, how long it then waited for the
 * other threads (its barrier idle), how long it took a worker to wake up and claim its first
 * chunk, and the spread between the first and the last computing thread's finish (the idle
 * time of the thread that finished first). `serialMs` is the fit's wall time outside pool jobs:
 * the main thread's own per-tree work while the workers sleep.
 */
export interface JobStats {
  runs: number;
  /** Wall time of the jobs, as the calling thread saw it. */
  wallMs: number;
  /** The calling thread's own chunks. */
  mainWorkMs: number;
  /** The calling thread waiting after its last chunk. */
  mainIdleMs: number;
  /** Job start -> a worker's first claim (workers that took part). */
  wakeMs: number;
  /** Last minus first finishing thread, summed over jobs where more than one thread computed. */
  spreadMs: number;
  /** Jobs that the calling thread computed alone (no worker claimed a chunk in time). */
  soloRuns: number;
}

export interface FitProfile {
  /** Whole fit (pool start to close). */
  fitMs: number;
  /** fitMs minus the wall time of all pool jobs. */
  serialMs: number;
  /** Setup before the first tree: placing the table, NAN / EDGES / BIN jobs, pool start. */
  setupMs: number;
  jobs: Record<string, JobStats>;
  /** Named parts of the serial time (ms), e.g. small-node partitions, leaf values. */
  serial: Record<string, number>;
}

export function emptyProfile(): FitProfile {
  return { fitMs: 0, serialMs: 0, setupMs: 0, jobs: {}, serial: {} };
}

export function jobStats(p: FitProfile, kind: string): JobStats {
  let s = p.jobs[kind];
  if (!s) {
    s = {
      runs: 0,
      wallMs: 0,
      mainWorkMs: 0,
      mainIdleMs: 0,
      wakeMs: 0,
      spreadMs: 0,
      soloRuns: 0,
    };
    p.jobs[kind] = s;
  }
  return s;
}

/** A clock comparable across worker threads (ms since the epoch, sub-millisecond). */
export function sharedClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Add ms to the named serial part. */
export function addSerial(p: FitProfile, name: string, ms: number): void {
  p.serial[name] = (p.serial[name] ?? 0) + ms;
}
