import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { type FileHandle, mkdir, open, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface StoredBlob {
  sha256: string;
  size: number;
}

export class BlobMismatchError extends Error {
  constructor(
    readonly expected: StoredBlob,
    readonly actual: StoredBlob,
  ) {
    super(
      `uploaded bytes do not match the announced object: expected sha256 ${expected.sha256} (${expected.size} bytes), got ${actual.sha256} (${actual.size} bytes)`,
    );
  }
}

const SHA256_RE = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
  return SHA256_RE.test(value);
}

/**
 * Content-addressed storage shared by every repo and both API faces. A blob only appears under
 * its final name after its bytes were hashed and matched, so a half-written or corrupt upload can
 * never be referenced by a commit.
 */
export class BlobStore {
  constructor(private readonly root: string) {}

  private blobPath(sha256: string): string {
    return join(this.root, "blobs", sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  tmpPath(label: string): string {
    return join(this.root, "tmp", `${label}.${randomBytes(8).toString("hex")}`);
  }

  async init(): Promise<void> {
    await mkdir(join(this.root, "blobs"), { recursive: true });
    await rm(join(this.root, "tmp"), { recursive: true, force: true });
    await mkdir(join(this.root, "tmp"), { recursive: true });
  }

  async stat(sha256: string): Promise<StoredBlob | null> {
    if (!isSha256(sha256)) return null;
    try {
      const s = await stat(this.blobPath(sha256));
      return { sha256, size: s.size };
    } catch {
      return null;
    }
  }

  async putBuffer(data: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash("sha256").update(data).digest("hex");
    const existing = await this.stat(sha256);
    if (existing) return existing;
    const tmp = this.tmpPath("buf");
    await writeFile(tmp, data);
    await this.adopt(tmp, sha256);
    return { sha256, size: data.byteLength };
  }

  /** Streams `source` into the store, hashing on the way; refuses it unless it matches `expected`. */
  async putStream(source: Readable | AsyncIterable<Uint8Array>, expected?: StoredBlob): Promise<StoredBlob> {
    const tmp = this.tmpPath("stream");
    try {
      const actual = await hashToFile(source, tmp);
      await this.accept(tmp, actual, expected);
      return actual;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Moves `file` (on the store's disk, already hashed by the caller as `actual`) into the store
   * under its hash: a rename, no copy (multipart completion). Refused unless it matches `expected`.
   */
  async adoptFile(file: string, actual: StoredBlob, expected: StoredBlob): Promise<StoredBlob> {
    await this.accept(file, actual, expected);
    return actual;
  }

  private async accept(tmp: string, actual: StoredBlob, expected?: StoredBlob): Promise<void> {
    if (expected && (expected.sha256 !== actual.sha256 || expected.size !== actual.size)) {
      throw new BlobMismatchError(expected, actual);
    }
    if (await this.stat(actual.sha256)) return;
    await this.adopt(tmp, actual.sha256);
  }

  private async adopt(tmp: string, sha256: string): Promise<void> {
    const dest = this.blobPath(sha256);
    await mkdir(join(dest, ".."), { recursive: true });
    await rename(tmp, dest);
  }

  /** Marks a blob used now (its mtime): a mirror prunes the least recently used first. */
  async touch(sha256: string): Promise<void> {
    if (!isSha256(sha256)) return;
    const now = new Date();
    await utimes(this.blobPath(sha256), now, now).catch(() => {});
  }

  /** Removes a blob (a mirror's pruning; nothing local may reference it). */
  async remove(sha256: string): Promise<void> {
    if (isSha256(sha256)) await rm(this.blobPath(sha256), { force: true });
  }

  /** A blob's size and when it was last used (see `touch`), or null when absent. */
  async usage(sha256: string): Promise<{ size: number; usedAt: number } | null> {
    if (!isSha256(sha256)) return null;
    try {
      const s = await stat(this.blobPath(sha256));
      return { size: s.size, usedAt: s.mtimeMs };
    } catch {
      return null;
    }
  }

  read(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.blobPath(sha256), range ? { start: range.start, end: range.end } : {});
  }

  /** At most the first `maxBytes` of a blob (a card's front matter is at its head; the file may be huge). */
  async readHead(sha256: string, maxBytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.read(sha256, { start: 0, end: maxBytes - 1 }))
      chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** The blob opened for reading (a download sends ranges of it; the caller closes it). */
  open(sha256: string): Promise<FileHandle> {
    return open(this.blobPath(sha256), "r");
  }

  async readAll(sha256: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.read(sha256)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

/** Writes a stream to `file`, returning its sha256 and size. */
export async function hashToFile(
  source: Readable | AsyncIterable<Uint8Array>,
  file: string,
): Promise<StoredBlob> {
  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.byteLength;
      done(null, chunk);
    },
  });
  await pipeline(source, tap, createWriteStream(file));
  return { sha256: hash.digest("hex"), size };
}
