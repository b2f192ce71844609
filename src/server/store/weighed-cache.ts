/**
 * A cache bounded in entries and in total weight (here: files listed), dropping the least
 * recently used first. The local hub keeps commits and their trees in memory to answer quickly;
 * a repo of 100,000 files has a thousand commits of up to 100,000 entries each, so a cache bounded
 * only in count could hold gigabytes and bring the server down.
 */
export class WeighedCache<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.total <= this.maxWeight) break;
      // Never the entry just added: it is what the caller is about to use.
      if (k === key) continue;
      this.entries.delete(k);
      this.total -= e.weight;
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.weight;
  }

  get size(): number {
    return this.entries.size;
  }
}
