/**
 * IdMap: external ids (MovieLens userId / movieId) <-> dense indices 0..n-1, so that models can
 * index typed arrays directly. Dense indices follow insertion order.
 */
export class IdMap {
  private readonly toIndex = new Map<number, number>();
  private readonly ids: number[] = [];

  static from(ids: Iterable<number>): IdMap {
    const m = new IdMap();
    for (const id of ids) m.add(id);
    return m;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Index of `id`, adding it when new. */
  add(id: number): number {
    let i = this.toIndex.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.toIndex.set(id, i);
      this.ids.push(id);
    }
    return i;
  }

  /** Index of `id`, or -1 when unknown. */
  index(id: number): number {
    return this.toIndex.get(id) ?? -1;
  }

  has(id: number): boolean {
    return this.toIndex.has(id);
  }

  /** External id at dense index `i`. */
  id(i: number): number {
    return this.ids[i];
  }

  toArray(): number[] {
    return this.ids.slice();
  }
}
