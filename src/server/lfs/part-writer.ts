import { type FileHandle, open } from "node:fs/promises";
import { Writable } from "node:stream";
import { HttpError } from "../http/http-error.js";
import type { RunningHash } from "./running-hash.js";

/**
 * Writes one attempt at one part of a multipart upload into the object file at the part's offset,
 * offering each chunk to the upload's running hash on the way. A new attempt at the same part
 * (`previous`, a client's retry) stops the old one and starts writing only once the old one's last
 * write has landed, so two attempts never write the same bytes at once.
 */
export class PartWriter extends Writable {
  private received = 0;
  private fh: FileHandle | undefined;
  private readonly ready: Promise<void>;
  private pending: Promise<unknown> = Promise.resolve();
  private stopped: Error | undefined;

  constructor(
    private readonly file: string,
    private readonly hash: RunningHash,
    private readonly part: number,
    private readonly length: number,
    previous?: PartWriter,
  ) {
    super({ highWaterMark: 1 << 20 });
    this.ready = this.prepare(previous);
    this.ready.catch(() => {});
  }

  private async prepare(previous: PartWriter | undefined): Promise<void> {
    if (previous) {
      previous.stop(new HttpError(409, `Part ${this.part} was sent again; this attempt was dropped`));
      await previous.settled();
    }
    if (this.stopped) throw this.stopped;
    this.hash.restartPart(this.part);
    this.fh = await open(this.file, "r+");
  }

  override _construct(done: (err?: Error | null) => void): void {
    this.ready.then(() => done(), done);
  }

  get bytes(): number {
    return this.received;
  }

  stop(reason: Error): void {
    this.stopped ??= reason;
    this.destroy(reason);
  }

  /** Resolves once this attempt can write no more: started (or refused) and no write in flight. */
  async settled(): Promise<void> {
    await this.ready.catch(() => {});
    await this.pending.catch(() => {});
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.put(
      chunks.map((c) => c.chunk),
      done,
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.put([chunk], done);
  }

  private put(buffers: Buffer[], done: (err?: Error | null) => void): void {
    if (this.stopped) {
      done(this.stopped);
      return;
    }
    const size = buffers.reduce((n, b) => n + b.byteLength, 0);
    // admitBody already refuses a longer body; this keeps a part out of its neighbour's bytes.
    if (this.received + size > this.length) {
      done(new Error(`part ${this.part} runs past its ${this.length} bytes`));
      return;
    }
    const pos = this.hash.start(this.part) + this.received;
    let at = pos;
    for (const b of buffers) {
      this.hash.offer(at, b);
      at += b.byteLength;
    }
    this.received += size;
    const end = this.received;
    const write = writeAll(this.fh!, buffers, pos).then(() => {
      if (!this.stopped) this.hash.wrote(this.part, end);
    });
    this.pending = write;
    write.then(() => done(), done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.settled()
      .then(() => this.fh?.close())
      .then(
        () => done(err),
        (closeErr: Error) => done(err ?? closeErr),
      );
  }
}

/** `writev` at `pos` until every byte is down (a short write is legal, if rare on a file). */
async function writeAll(fh: FileHandle, buffers: Buffer[], pos: number): Promise<void> {
  let rest = buffers;
  let at = pos;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, at);
    at += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.byteLength) skip -= b.byteLength;
      else {
        next.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    rest = next;
  }
}
