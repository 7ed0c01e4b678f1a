/**
 * Least-recently-used values bounded by the bytes they hold, not by their count: a registry decides
 * how many manifests a run fetches, so only a byte budget bounds memory (issue 10 item 5).
 */
export class ByteBudgetCache<V> {
  readonly #items = new Map<string, { value: V; size: number }>();
  readonly #budget: number;
  readonly #sizeOf: (value: V) => number;
  #bytes = 0;

  constructor(budget: number, sizeOf: (value: V) => number) {
    this.#budget = budget;
    this.#sizeOf = sizeOf;
  }

  /** Bytes held now (never more than the budget). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): V | undefined {
    const item = this.#items.get(key);
    if (!item) return undefined;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.#items.delete(key);
    this.#items.set(key, item);
    return item.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const size = this.#sizeOf(value);
    if (size > this.#budget) return;
    this.#items.set(key, { value, size });
    this.#bytes += size;
    for (const [oldest, item] of this.#items) {
      if (this.#bytes <= this.#budget) break;
      this.#items.delete(oldest);
      this.#bytes -= item.size;
    }
  }

  delete(key: string): void {
    const item = this.#items.get(key);
    if (!item) return;
    this.#items.delete(key);
    this.#bytes -= item.size;
  }
}
