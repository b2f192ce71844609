import { HubferryError } from "../core/errors.js";
import { sleep } from "../core/http/http-client.js";
import type { TransferSource } from "./types.js";

export interface ReadOptions {
  signal: AbortSignal;
  /** Largest byte range asked in one request (very large range-less GETs fail on real CDNs). */
  rangeSize?: number;
  attempts?: number;
  onRetry?: (attempt: number, waitMs: number, reason: string) => void;
  /**
   * Asked before each request: true when the caller has other streams of this file open and
   * would rather drop this one than wait out a rate limit (a 429 is then thrown at once).
   */
  refuseFast?: () => boolean;
}

/**
 * Reads `start..end` of a source file as one stream, in ranged requests; a connection that breaks
 * or a body that stops short is resumed from the last byte received, so a flaky source costs
 * time, not a restart of the whole file.
 */
export async function* resumableRead(
  source: TransferSource,
  path: string,
  start: number,
  end: number,
  opts: ReadOptions,
): AsyncGenerator<Uint8Array> {
  const rangeSize = opts.rangeSize ?? 256 * 1024 * 1024;
  const attempts = opts.attempts ?? 6;
  let pos = start;
  let failures = 0;
  while (pos <= end) {
    const rangeEnd = Math.min(end, pos + rangeSize - 1);
    const refuseFast = opts.refuseFast?.() ?? false;
    try {
      const stream = await source.read(
        path,
        pos,
        rangeEnd,
        opts.signal,
        refuseFast ? { refuseFast } : undefined,
      );
      for await (const chunk of stream) {
        const room = rangeEnd - pos + 1;
        const piece = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
        if (piece.byteLength === 0) continue;
        pos += piece.byteLength;
        failures = 0;
        yield piece;
        if (pos > rangeEnd) break;
      }
      if (pos <= rangeEnd) throw new Error(`short read: the body ended at byte ${pos} of ${rangeEnd + 1}`);
    } catch (err) {
      if (opts.signal.aborted) throw new HubferryError("CANCELLED", "cancelled");
      if (
        err instanceof HubferryError &&
        (err.code === "RATE_LIMITED" ? refuseFast : err.code !== "NETWORK" && err.code !== "SERVER")
      )
        throw err;
      failures++;
      if (failures >= attempts) {
        throw new HubferryError(
          "NETWORK",
          `${path}: reading from the source failed ${failures} times at byte ${pos}: ${(err as Error).message}`,
          "re-run later: files already copied are kept",
        );
      }
      const waitMs = Math.min(8000, 250 * 2 ** failures);
      opts.onRetry?.(failures, waitMs, (err as Error).message);
      await sleep(waitMs, opts.signal);
    }
  }
}

/** Reads `start..end` into one buffer allocated once (no second copy of the bytes). */
export async function readRangeToBuffer(
  source: TransferSource,
  path: string,
  start: number,
  end: number,
  opts: ReadOptions,
): Promise<Buffer> {
  const out = Buffer.allocUnsafe(end - start + 1);
  let at = 0;
  for await (const c of resumableRead(source, path, start, end, opts)) {
    out.set(c, at);
    at += c.byteLength;
  }
  return at === out.length ? out : out.subarray(0, at);
}

/** Reads a whole (small) file into memory. */
export async function readAll(
  source: TransferSource,
  path: string,
  size: number,
  opts: ReadOptions,
): Promise<Buffer> {
  if (size === 0) return Buffer.alloc(0);
  return readRangeToBuffer(source, path, 0, size - 1, opts);
}
