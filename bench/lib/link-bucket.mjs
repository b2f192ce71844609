// The shaper's token bucket (bench/shaper.mjs): one per direction of a whole link, shared by all
// its connections, and one per direction of each connection, inside it. Kept apart so that its
// accounting can be checked without sockets or timing (test/bench/link-bucket.test.ts).
import { performance } from "node:perf_hooks";

/**
 * A link of `rate` bytes/s: a virtual clock of when it is next free, with a small burst allowance
 * (unused time older than `burstMs` is lost, as an idle link does not bank its capacity).
 */
export class Link {
  constructor(rate, now = () => performance.now()) {
    this.rate = rate;
    this.now = now;
    this.freeAt = 0;
    this.burstMs = 5;
    this.bytes = 0;
  }
  /** Reserves `n` bytes; returns how long (ms) to wait before sending them. */
  reserve(n) {
    this.bytes += n;
    if (!Number.isFinite(this.rate)) return 0;
    const now = this.now();
    const start = Math.max(this.freeAt, now - this.burstMs);
    this.freeAt = start + (n * 1000) / this.rate;
    return this.freeAt - now;
  }
  /** Bytes per write: about 2 ms worth of the link, within 16 KiB..1 MiB. */
  get slice() {
    return Number.isFinite(this.rate) ? Math.min(1 << 20, Math.max(16 << 10, this.rate / 500)) : 1 << 20;
  }
}

/**
 * `n` bytes of one connection through its own bucket (`own`) and then the link's (`total`): the
 * connection waits for its cap first, then for its turn on the shared link. Returns the two waits.
 * `sleep(ms)` is called between them, so that the link's clock sees the bytes when they go.
 */
export async function passThrough(own, total, n, sleep) {
  const first = own.reserve(n);
  if (first >= 1) await sleep(first);
  const second = total.reserve(n);
  if (second >= 1) await sleep(second);
  return [first, second];
}
