import { type ReadOptions, readRangeToBuffer, resumableRead } from "./resumable-read.js";
import type { OnSent, TransferSource, UploadMethod } from "./types.js";

type Parts = Extract<UploadMethod, { kind: "parts" }>;

export interface PartRange {
  path: string;
  index: number;
  start: number;
  end: number;
}

/**
 * One part of a multipart upload, streamed from its source range straight into its PUT, so the
 * part's read and its upload overlap instead of following each other (on links that cap each
 * connection, that alone doubles what each part slot moves). The bytes are kept as they pass, for
 * the whole file's hash in order. If the streamed PUT fails, the part is sent again from a buffered
 * read, which the HTTP client may retry; the bytes the failed attempt had counted are taken back.
 */
export async function streamPart(
  source: TransferSource,
  method: Parts,
  part: PartRange,
  opts: ReadOptions & { signal: AbortSignal; onSent: OnSent },
): Promise<{ etag: string; data: Buffer }> {
  const size = part.end - part.start + 1;
  const data = Buffer.allocUnsafe(size);
  let got = 0;
  async function* body(): AsyncGenerator<Uint8Array> {
    for await (const chunk of resumableRead(source, part.path, part.start, part.end, opts)) {
      if (got + chunk.byteLength > size)
        throw new Error(`${part.path}: the source sent more than the range asked`);
      data.set(chunk, got);
      got += chunk.byteLength;
      yield chunk;
    }
  }
  let sent = 0;
  const counted: OnSent = (n) => {
    sent += n;
    opts.onSent(n);
  };
  const stream = body();
  try {
    const etag = await method.putPart(part.index, stream, opts.signal, counted, size);
    if (got === size) return { etag, data };
  } catch (err) {
    if (opts.signal.aborted) throw err;
  } finally {
    // A PUT refused before its body was read leaves the source's response open: close it.
    await stream.return(undefined).catch(() => undefined);
  }
  opts.onSent(-sent);
  const again = await readRangeToBuffer(source, part.path, part.start, part.end, opts);
  return { etag: await method.putPart(part.index, again, opts.signal, opts.onSent), data: again };
}
