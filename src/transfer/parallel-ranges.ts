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
  const { start, end, partSize } = opts;
  const count = end >= start ? Math.ceil((end - start + 1) / partSize) : 0;
  const parts: Part[] = Array.from({ length: count }, (_, index) => ({
    index,
    pos: start + index * partSize,
    end: Math.min(end, start + (index + 1) * partSize - 1),
    queue: [],
    queued: 0,
    done: false,
  }));
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);
  let limit = Math.max(1, Math.floor(opts.streams));
  let inFlight = 0;
  let head = 0;
  let nextNew = 0;
  const requeued: number[] = [];
  let failure: unknown;
  const running = new Set<Promise<void>>();
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const r of w) r();
  };
  const changed = () => new Promise<void>((r) => waiters.push(r));
  const stopped = () => signal.aborted || failure !== undefined;

  async function pump(p: Part): Promise<void> {
    try {
      for await (const c of open(p.pos, p.end, { signal, refuseFast: () => limit > 1 && inFlight > 1 })) {
        p.queue.push(c);
        p.queued += c.byteLength;
        p.pos += c.byteLength;
        wake();
        while (p.index === head && p.queued > HEAD_HIGH_WATER && !stopped()) await changed();
        if (stopped()) return;
      }
      if (p.pos <= p.end) throw new Error(`short read: part ${p.index} ended at byte ${p.pos}`);
      p.done = true;
    } catch (err) {
      if (stopped()) return;
      if (refusal(err) && limit > 1 && inFlight > 1) {
        opts.onFewerStreams?.({ open: inFlight, streams: limit - 1, reason: (err as Error).message });
        limit--;
        requeued.push(p.index);
        requeued.sort((a, b) => a - b);
      } else failure = err;
    } finally {
      inFlight--;
      fill();
      wake();
    }
  }

  /**
   * Starts the lowest parts waiting (re-queued ones first), within the window the stream count
   * allows. All are counted before any starts, so each request knows how many streams are open.
   */
  function fill(): void {
    const starting: Part[] = [];
    while (!stopped() && inFlight < limit) {
      // Re-queued parts were started before: they are always below `nextNew`.
      const index = requeued.length ? requeued[0]! : nextNew;
      if (index >= count || index >= head + limit) break;
      if (requeued.length) requeued.shift();
      else nextNew++;
      inFlight++;
      starting.push(parts[index]!);
    }
    for (const p of starting) {
      const run = pump(p);
      running.add(run);
      void run.finally(() => running.delete(run));
    }
  }

  try {
    fill();
    while (head < count) {
      if (failure !== undefined) throw failure;
      if (opts.signal.aborted) throw new HubferryError("CANCELLED", "cancelled");
      const p = parts[head]!;
      const c = p.queue.shift();
      if (c) {
        p.queued -= c.byteLength;
        wake();
        yield c;
      } else if (p.done) {
        head++;
        fill();
      } else await changed();
    }
  } finally {
    // The consumer stopped (or all was read): nothing goes on reading behind its back.
    stop.abort();
    wake();
    await Promise.allSettled([...running]);
  }
}
