/**
 * A set of movie ids that answers `has` fast for the 20M rating lines: a bitmap when ids are
 * small (all MovieLens releases), a Set otherwise.
 */
const BITMAP_LIMIT = 1 << 26;

export class MovieIdSet {
  private bits = new Uint8Array(1 << 16);
  private readonly big = new Set<number>();
  size = 0;

  add(id: number): boolean {
    if (this.has(id)) return false;
    if (id < BITMAP_LIMIT) {
      const byte = id >>> 3;
      if (byte >= this.bits.length) {
        let n = this.bits.length;
        while (n <= byte) n *= 2;
        const grown = new Uint8Array(n);
        grown.set(this.bits);
        this.bits = grown;
      }
      this.bits[byte] |= 1 << (id & 7);
    } else this.big.add(id);
    this.size++;
    return true;
  }

  has(id: number): boolean {
    if (id < BITMAP_LIMIT) {
      const byte = id >>> 3;
      return byte < this.bits.length && (this.bits[byte] & (1 << (id & 7))) !== 0;
    }
    return this.big.has(id);
  }
}
