import { HubferryError } from "../core/errors.js";

/**
 * Opens one part's bytes `start..end` (inclusive) as a stream that already resumes a broken body
 * from its last byte and retries what is transient (resumableRead). `refuseFast` is asked before
 * each request: true means a refusal (403, 429) should come back at once, not be waited out.
 */
export type OpenRange = (
  start: number,
  end: number,
  opts: { signal: AbortSignal; refuseFast: () => boolean },
) => AsyncIterable<Uint8Array>;

export interface ParallelRangeOptions {
  /** First and last byte (inclusive) of what is read; parts are cut from `start`. */
  start: number;
  end: number;
  partSize: number;
  /** Ranged requests in flight at most (lowered when the server refuses extra ones). */
  streams: number;
  signal: AbortSignal;
  /** Told when a refused range lowers the stream count: how many were open, how many now. */
  onFewerStreams?: (e: FewerStreams) => void;
}

/** A stream-count change as a retry event says it. */
export type FewerStreams = { open: number; streams: number; reason: string };

export function fewerStreamsReason(e: FewerStreams): string {
  return `${e.reason} (with ${e.open} ranges open): the part is read again, ${e.streams} at a time now`;
}

interface Part {
  index: number;
  /** Next byte to fetch (a re-queued part goes on from here). */
  pos: number;
  end: number;
  queue: Uint8Array[];
  queued: number;
  done: boolean;
}

/** What the part being handed out may hold before its reader waits for the consumer. */
const HEAD_HIGH_WATER = 4 * 1024 * 1024;

/** A refusal the server gives an extra connection (rate limit, or a CDN's 403 past its per-client cap). */
function refusal(err: unknown): boolean {
  return err instanceof HubferryError && (err.code === "RATE_LIMITED" || err.code === "FORBIDDEN");
}

/** The parts of one read, their requests, and the part being handed out. */
class PartReader {
  private readonly parts: Part[];
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;
  private limit: number;
  private inFlight = 0;
  /** The part being handed out; parts start only within `limit` of it. */
  private head = 0;
  private nextNew = 0;
  private readonly requeued: number[] = [];
  private failure: unknown;
  private readonly running = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly open: OpenRange,
    private readonly opts: ParallelRangeOptions,
  ) {
    const { start, end, partSize } = opts;
    const count = end >= start ? Math.ceil((end - start + 1) / partSize) : 0;
    this.parts = Array.from({ length: count }, (_, index) => ({
      index,
      pos: start + index * partSize,
      end: Math.min(end, start + (index + 1) * partSize - 1),
      queue: [],
      queued: 0,
      done: false,
    }));
    this.signal = AbortSignal.any([opts.signal, this.stop.signal]);
    this.limit = Math.max(1, Math.floor(opts.streams));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private changed(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }

  private stopped(): boolean {
    return this.signal.aborted || this.failure !== undefined;
  }

  /**
   * Starts the lowest parts waiting (re-queued ones first), within the window the stream count
   * allows. All are counted before any starts, so each request knows how many streams are open.
   */
  fill(): void {
    const starting: Part[] = [];
    while (!this.stopped() && this.inFlight < this.limit) {
      // Re-queued parts were started before: they are always below `nextNew`.
      const index = this.requeued.length ? this.requeued[0]! : this.nextNew;
      if (index >= this.parts.length || index >= this.head + this.limit) break;
      if (this.requeued.length) this.requeued.shift();
      else this.nextNew++;
      this.inFlight++;
      starting.push(this.parts[index]!);
    }
    for (const p of starting) {
      const run = this.pump(p);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
  }

  private async pump(p: Part): Promise<void> {
    // Whether the read was last told to refuse fast: by the time its refusal comes back another
    // part may have taken the stream count down to 1, and the part must then be asked again.
    let fast = false;
    const refuseFast = () => {
      fast = this.limit > 1 && this.inFlight > 1;
      return fast;
    };
    try {
      for await (const c of this.open(p.pos, p.end, { signal: this.signal, refuseFast })) {
        p.queue.push(c);
        p.queued += c.byteLength;
        p.pos += c.byteLength;
        this.wake();
        while (p.index === this.head && p.queued > HEAD_HIGH_WATER && !this.stopped()) await this.changed();
        if (this.stopped()) return;
      }
      if (p.pos <= p.end) throw new Error(`short read: part ${p.index} ended at byte ${p.pos}`);
      p.done = true;
    } catch (err) {
      if (this.stopped()) return;
      if (refusal(err) && fast) {
        if (this.limit > 1) this.fewer(p, err as Error);
        else this.requeue(p);
      } else this.failure = err;
    } finally {
      this.inFlight--;
      this.fill();
      this.wake();
    }
  }

  /** A part asked again from its last byte (now with one stream, its read waits refusals out). */
  private requeue(p: Part): void {
    this.requeued.push(p.index);
    this.requeued.sort((a, b) => a - b);
  }

  /** A refused part: one stream fewer, and the part asked again from its last byte. */
  private fewer(p: Part, err: Error): void {
    const open = this.inFlight;
    this.limit--;
    this.requeue(p);
    try {
      this.opts.onFewerStreams?.({ open, streams: this.limit, reason: err.message });
    } catch (e) {
      this.failure = e;
    }
  }

  /** The next bytes in order; undefined once all were handed out. */
  async next(): Promise<Uint8Array | undefined> {
    while (this.head < this.parts.length) {
      if (this.failure !== undefined) throw this.failure;
      if (this.opts.signal.aborted) throw new HubferryError("CANCELLED", "cancelled");
      const p = this.parts[this.head]!;
      const c = p.queue.shift();
      if (c) {
        p.queued -= c.byteLength;
        this.wake();
        return c;
      }
      if (p.done) {
        this.head++;
        this.fill();
      } else await this.changed();
    }
    return undefined;
  }

  /** Nothing goes on reading behind the consumer's back. */
  async close(): Promise<void> {
    this.stop.abort();
    this.wake();
    await Promise.allSettled([...this.running]);
  }
}

/**
 * Reads `start..end` in parts of `partSize` with up to `streams` ranged requests at once, and
 * yields the bytes in order as one stream: one connection to a CDN is capped well below what a
 * machine can take, several are not.
 *
 * Memory stays bounded: a part starts only within `streams` parts of the one being handed out, so
 * at most `streams - 1` parts wait whole in memory; the part being handed out streams through
 * (its reader waits once it is `HEAD_HIGH_WATER` ahead of the consumer).
 *
 * A part refused (403/429) while other streams are open lowers the stream count and is queued
 * again from its last byte: fewer streams, not a failure. With one stream left, a refusal goes
 * through the read's own retry policy like any single read. Any other error ends the stream.
 */
export async function* parallelRanges(
  open: OpenRange,
  opts: ParallelRangeOptions,
): AsyncGenerator<Uint8Array> {
  const reader = new PartReader(open, opts);
  try {
    reader.fill();
    for (let c = await reader.next(); c; c = await reader.next()) yield c;
  } finally {
    await reader.close();
  }
}
