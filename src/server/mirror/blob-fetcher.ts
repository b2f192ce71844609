import { createHash } from "node:crypto";
import { open, rm } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import type { RepoType } from "../../core/repo-type.js";
import type { BlobStore, StoredBlob } from "../store/blob-store.js";
import { UpstreamCorrupt } from "./mirrored-commit.js";
import type { Upstream, UpstreamRepo } from "./upstream.js";

/** Where a missing blob's bytes are upstream: a file of a repo at a commit. */
export interface BlobOrigin {
  upstream: Upstream;
  type: RepoType;
  repo: UpstreamRepo;
  path: string;
}

/** Attempts at one blob within one fetch: each resumes from the last byte received. */
const ATTEMPTS = 4;
/** How long resumes of a blob whose first body failed its check are refused, and how many are kept. */
const BAD_HEAD_MS = 3600_000;
const MAX_BAD_HEADS = 10_000;

/**
 * Fetches LFS blobs the store lacks, once each however many clients ask at the same time. A blob
 * enters the store only once its sha256 and size match the upstream listing. The first client
 * asking for the whole file gets the bytes as they arrive (a `tee`), all but the last piece,
 * which is sent only after the whole was checked: a body that fails the check ends cut short, so
 * no client ever holds a complete wrong file. Everyone else waits for the stored blob.
 */
export class BlobFetcher {
  private readonly inflight = new Map<string, Promise<StoredBlob>>();
  /**
   * Blobs whose bytes a client got (a `tee`) before the whole failed its check, and until when a
   * resumed download of them is refused: huggingface_hub resumes a cut body with a Range request
   * and checks only the size, so a good tail after a bad head would make a whole, wrong file.
   */
  private readonly badHeads = new Map<string, number>();

  constructor(
    private readonly blobs: BlobStore,
    /** Called after each blob entered the store. */
    private readonly onStored: () => void = () => {},
  ) {}

  /** Whether a download resumed past byte 0 must be refused (see `badHeads`). */
  refusesResume(sha256: string): boolean {
    const until = this.badHeads.get(sha256);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.badHeads.delete(sha256);
    return false;
  }

  isFetching(sha256: string): boolean {
    return this.inflight.has(sha256);
  }

  /** The blob, fetched if needed; `tee` (a response with its headers sent) gets the bytes too. */
  fetch(expected: StoredBlob, origin: BlobOrigin, tee?: ServerResponse): Promise<StoredBlob> {
    const running = this.inflight.get(expected.sha256);
    if (running) return running;
    const run = this.fetchOnce(expected, origin, tee).finally(() => this.inflight.delete(expected.sha256));
    this.inflight.set(expected.sha256, run);
    return run;
  }

  private markBadHead(sha256: string): void {
    if (this.badHeads.size >= MAX_BAD_HEADS) this.badHeads.delete(this.badHeads.keys().next().value!);
    this.badHeads.set(sha256, Date.now() + BAD_HEAD_MS);
  }

  private async fetchOnce(
    expected: StoredBlob,
    origin: BlobOrigin,
    tee?: ServerResponse,
  ): Promise<StoredBlob> {
    const tmp = this.blobs.tmpPath("mirror");
    const file = await open(tmp, "w");
    try {
      const hash = createHash("sha256");
      let got = 0;
      let last: Uint8Array | undefined;
      let lastError: unknown;
      for (let attempt = 0; attempt < ATTEMPTS && got < expected.size; attempt++) {
        try {
          const { upstream, type, repo, path } = origin;
          const body = await upstream.read(type, repo.id, repo, path, got, expected.size - 1);
          for await (const piece of body) {
            if (got + piece.byteLength > expected.size)
              throw new UpstreamCorrupt(
                `${path}: upstream sent more than the ${expected.size} bytes it listed`,
              );
            hash.update(piece);
            await file.write(piece, 0, piece.byteLength, got);
            got += piece.byteLength;
            if (got === expected.size) {
              const sha256 = hash.digest("hex");
              if (sha256 !== expected.sha256) {
                if (tee) this.markBadHead(expected.sha256);
                tee?.destroy();
                throw new UpstreamCorrupt(
                  `${path}: upstream sent bytes whose sha256 is ${sha256}, not the ${expected.sha256} it lists`,
                );
              }
              // The last piece waits until the blob is in the store: a client done means it is kept.
              last = piece;
            } else if (tee) await writeOrDrop(tee, piece);
          }
        } catch (err) {
          if (err instanceof UpstreamCorrupt) throw err;
          lastError = err;
        }
      }
      if (got < expected.size) {
        tee?.destroy();
        throw (
          lastError ?? new Error(`${origin.path}: upstream ended the body at byte ${got} of ${expected.size}`)
        );
      }
      await file.close();
      const stored = await this.blobs.adoptFile(tmp, expected, expected);
      if (tee && !tee.destroyed) tee.end(last);
      this.onStored();
      return stored;
    } catch (err) {
      tee?.destroy();
      throw err;
    } finally {
      await file.close().catch(() => {});
      await rm(tmp, { force: true });
    }
  }
}

/** Writes to a client that may have gone away: the fetch goes on for the store either way. */
async function writeOrDrop(res: ServerResponse, piece: Uint8Array): Promise<void> {
  if (res.destroyed) return;
  if (res.write(piece)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
