/**
 * ByteSink: buffered writer that formats integers and ASCII straight into a 1 MB block and
 * flushes it to a file descriptor, so the generator's 20M rating lines create no strings (and
 * no garbage to collect).
 */
import { writeSync } from "node:fs";

export class ByteSink {
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private n = 0;
  constructor(private readonly fd: number) {}
  private room(k: number): void {
    if (this.n + k > this.buf.length) this.flush();
  }
  /** Non-negative integer. */
  int(v: number): this {
    this.room(24);
    if (v === 0) {
      this.buf[this.n++] = 48;
      return this;
    }
    let digits = 0;
    for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
    let i = this.n + digits;
    this.n = i;
    for (let x = v; x >= 1; x = Math.floor(x / 10)) this.buf[--i] = 48 + (x % 10);
    return this;
  }
  byte(c: number): this {
    this.room(1);
    this.buf[this.n++] = c;
    return this;
  }
  /** Half-star rating as "4.0" / "3.5". */
  stars(r: number): this {
    const twice = Math.round(r * 2);
    this.room(4);
    this.buf[this.n++] = 48 + (twice >> 1);
    this.buf[this.n++] = 46;
    this.buf[this.n++] = twice & 1 ? 53 : 48;
    return this;
  }
  text(s: string): this {
    const max = Buffer.byteLength(s);
    if (max > this.buf.length) {
      this.flush();
      writeSync(this.fd, s);
      return this;
    }
    this.room(max);
    this.n += this.buf.write(s, this.n);
    return this;
  }
  flush(): void {
    if (this.n > 0) writeSync(this.fd, this.buf, 0, this.n);
    this.n = 0;
  }
}
