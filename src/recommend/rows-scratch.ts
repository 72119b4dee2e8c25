/**
 * RowsScratch: one thread's buffer for the feature rows of the list it is scoring, reused from
 * list to list. Rows (~100 KB a list) in a new buffer each time are external memory, and V8
 * answers that much external allocation with a full mark-compact every second or so under load
 * (7-40 ms pauses in a scoring worker), which is what a list's tail latency then waits for.
 */
export class RowsScratch {
  private buf = new Float32Array(0);

  /** A buffer of at least `floats` floats, valid until the next call (grows, never shrinks). */
  get(floats: number): Float32Array {
    if (this.buf.length < floats)
      this.buf = new Float32Array(Math.max(floats, 2 * this.buf.length));
    return this.buf;
  }
}
