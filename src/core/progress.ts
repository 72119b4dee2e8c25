/**
 * Progress reporting. Library code never prints: long steps call an `onProgress` callback with
 * what they are doing; only `cli/` turns these events into bars or log lines.
 */
export interface ProgressEvent {
  /** Short stage name, e.g. "download", "load ratings", "gbdt". */
  stage: string;
  /** Units done so far (rows, bytes, trees...). */
  done: number;
  /** Total units when known. */
  total?: number;
  /** Unit label for display, e.g. "rows", "bytes", "trees". */
  unit?: string;
  /** Optional free-text detail. */
  message?: string;
}

export type ProgressReporter = (event: ProgressEvent) => void;

export const noProgress: ProgressReporter = () => {};
