import { createHash } from "node:crypto";

/**
 * Hashes the parts of one file in order although they are read and uploaded in parallel. A part
 * is added once all its bytes are in memory; parts that arrive ahead of their turn wait. `admit`
 * keeps any part from starting more than `window` parts ahead, which bounds the memory held.
 */
export class OrderedHasher {
  private readonly hash = createHash("sha256");
  private next = 0;
  private size = 0;
  private readonly ready = new Map<number, Uint8Array>();
  private waiters: (() => void)[] = [];

  async admit(index: number, window: number): Promise<void> {
    while (index >= this.next + window) await new Promise<void>((r) => this.waiters.push(r));
  }

  add(index: number, bytes: Uint8Array): void {
    this.ready.set(index, bytes);
    while (this.ready.has(this.next)) {
      const b = this.ready.get(this.next)!;
      this.hash.update(b);
      this.size += b.byteLength;
      this.ready.delete(this.next);
      this.next++;
    }
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  digest(): { sha256: string; size: number } {
    return { sha256: this.hash.digest("hex"), size: this.size };
  }
}
