import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";

/** How much of the object file one catch-up read takes (one buffer per upload, only while reading). */
const READ_SIZE = 1 << 20;

/**
 * The sha256 of a multipart upload's object, kept as its parts arrive, so that completion needs
 * no second pass over the bytes. The parts are written into one file at their offsets; the hash
 * covers its contiguous prefix `[0, frontier)`. A chunk that lands exactly at the frontier is
 * hashed from memory as it passes (an in-order upload is never read back); bytes written ahead of
 * the frontier (a part out of order, or parts uploaded in parallel) are read back from the file
 * once the gap before them fills. The state is the hash, the frontier and a byte count per part.
 */
export class RunningHash {
  private hash: Hash = createHash("sha256");
  private frontier = 0;
  /** The hash as it was at the start of the part the frontier is in: a retried part rewinds to it. */
  private checkpoint = { at: 0, hash: createHash("sha256") };
  /** Bumped when bytes already counted may have changed: a catch-up read in flight is discarded. */
  private epoch = 0;
  /** Per part (1-based), bytes of its current attempt on disk, contiguous from the part's start. */
  private readonly written = new Map<number, number>();
  private running: Promise<void> | undefined;
  private again = false;
  private failure: Error | undefined;
  private closed = false;
  /** Bytes read back from the file (0 for an upload whose parts came in order, one at a time). */
  readBack = 0;

  constructor(
    readonly file: string,
    readonly size: number,
    readonly chunkSize: number,
  ) {}

  start(part: number): number {
    return (part - 1) * this.chunkSize;
  }

  /**
   * A new attempt at `part` is about to overwrite its bytes. When the hash already covers some of
   * them, it rewinds: to the start of that part when the frontier is in it (a part cut mid-body and
   * sent again), else to 0, and the catch-up re-reads the file up to there (rare: a client sending
   * again a part the hash had passed).
   */
  restartPart(part: number): void {
    this.written.set(part, 0);
    this.epoch++;
    const start = this.start(part);
    if (this.frontier > start) {
      const back = this.checkpoint.at === start ? this.checkpoint : { at: 0, hash: createHash("sha256") };
      this.checkpoint = { at: back.at, hash: back.hash.copy() };
      this.hash = back.hash.copy();
      this.frontier = back.at;
      this.kick();
    }
  }

  private advance(bytes: Buffer): void {
    this.hash.update(bytes);
    this.frontier += bytes.byteLength;
    // Writes and reads never cross a part's end, so the frontier lands on every part boundary.
    if (this.frontier % this.chunkSize === 0 && this.frontier < this.size)
      this.checkpoint = { at: this.frontier, hash: this.hash.copy() };
  }

  /** Called with a chunk of a part at `pos`, before it is written: hashed now when it is next. */
  offer(pos: number, chunk: Buffer): boolean {
    if (pos !== this.frontier) return false;
    this.advance(chunk);
    return true;
  }

  /**
   * `part` now has `bytes` on disk from its start. Whatever the frontier can take is read back:
   * these bytes if they were written ahead of it, or a later part already there once this one is whole.
   */
  wrote(part: number, bytes: number): void {
    this.written.set(part, bytes);
    this.kick();
  }

  /** Bytes on disk right at the frontier, not hashed yet. */
  private available(): number {
    if (this.frontier >= this.size) return 0;
    const part = Math.floor(this.frontier / this.chunkSize) + 1;
    return this.start(part) + (this.written.get(part) ?? 0) - this.frontier;
  }

  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.available() <= 0) return;
    this.running = this.catchUp()
      .catch((err: Error) => {
        this.failure = err;
      })
      .finally(() => {
        this.running = undefined;
        // A write that landed while the file was being closed: look again.
        if (this.again) this.kick();
      });
  }

  private async catchUp(): Promise<void> {
    const fh = await open(this.file, "r");
    const buf = Buffer.allocUnsafe(READ_SIZE);
    try {
      for (;;) {
        this.again = false;
        const avail = this.available();
        if (avail <= 0 || this.closed) return;
        const epoch = this.epoch;
        const at = this.frontier;
        const { bytesRead } = await fh.read(buf, 0, Math.min(avail, READ_SIZE), at);
        this.readBack += bytesRead;
        // A part restarted meanwhile: what was read may be stale, look again.
        if (epoch !== this.epoch || at !== this.frontier) continue;
        if (bytesRead <= 0) throw new Error(`the upload's file ended at ${at} bytes`);
        this.advance(buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
  }

  /**
   * The sha256 of the whole object once every byte is on disk, after any catch-up in flight. Should
   * a read of the catch-up have failed, the file is hashed from its start instead.
   */
  async digest(): Promise<string> {
    this.kick();
    while (this.running) await this.running;
    this.closed = true;
    if (!this.failure && this.frontier === this.size) return this.hash.digest("hex");
    const again = createHash("sha256");
    for await (const chunk of createReadStream(this.file)) {
      again.update(chunk as Buffer);
      this.readBack += (chunk as Buffer).byteLength;
    }
    return again.digest("hex");
  }

  /** The upload is gone: no more catch-up reads. */
  close(): void {
    this.closed = true;
  }
}
