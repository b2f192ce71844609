import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeLayout, encodeLayout } from "../../xet/layout-codec.js";
import { type XetLayout, XetLayoutBuilder, type XorbLimits } from "../../xet/xet-layout.js";
import type { BlobStore } from "../store/blob-store.js";
import { isSha256 } from "../store/blob-store.js";
import { WeighedCache } from "../store/weighed-cache.js";

/**
 * The Xet layout of each LFS blob (chunks, xorbs, file hash), computed once and kept in the store.
 *
 * When: in the background, never on a request's path. A commit that adds LFS objects queues them
 * (the RepoStore hook), and any read that meets an LFS file without a layout queues it too (a
 * store from before Xet, a mirrored blob). Until the layout exists the file is simply served as
 * plain LFS (no `xetHash`, no Xet headers), so a multi-GB file costs a listing nothing: chunking
 * it is one sequential read in a queue that runs one blob at a time.
 *
 * On disk: `xet/layouts/<ab>/<sha256>.json` (written aside, then renamed) and an empty marker
 * `xet/known/<sha256>-<fileHash>` created last, so one readdir at start knows every finished
 * layout and a crash mid-way leaves only a layout that is redone.
 */
export class XetIndex {
  private readonly fileHashOf = new Map<string, string>();
  private readonly shaOf = new Map<string, string>();
  private readonly queue = new Set<string>();
  private readonly failed = new Set<string>();
  private running = false;
  private idleWaiters: (() => void)[] = [];
  /** Layouts in use, bounded by chunk count (a 10 GB file is ~160k chunks, a few MB). */
  private readonly cache = new WeighedCache<XetLayout>(256, 4_000_000, (l) => l.chunkLengths.length + 1);

  constructor(
    private readonly root: string,
    private readonly blobs: BlobStore,
    private readonly limits: XorbLimits,
    /** false (serve --no-xet): nothing is computed, no file is advertised for Xet. */
    private readonly enabled = true,
  ) {}

  private get dir(): string {
    return join(this.root, "xet");
  }

  private layoutPath(sha256: string): string {
    return join(this.dir, "layouts", sha256.slice(0, 2), `${sha256}.json`);
  }

  async init(): Promise<void> {
    await mkdir(join(this.dir, "known"), { recursive: true });
    // Layouts half-written when the hub last stopped: never renamed into place, so just dropped.
    await rm(join(this.dir, "tmp"), { recursive: true, force: true });
    await mkdir(join(this.dir, "tmp"), { recursive: true });
    for (const name of await readdir(join(this.dir, "known"))) {
      const [sha, fileHash] = name.split("-");
      if (sha && fileHash && isSha256(sha) && isSha256(fileHash)) this.remember(sha, fileHash);
    }
  }

  private remember(sha256: string, fileHash: string): void {
    this.fileHashOf.set(sha256, fileHash);
    this.shaOf.set(fileHash, sha256);
  }

  /** The Xet file hash of a blob when its layout is ready; queues the work otherwise. */
  fileHash(sha256: string): string | undefined {
    const known = this.fileHashOf.get(sha256);
    if (known === undefined) this.enqueue([sha256]);
    return known;
  }

  /** The blob whose Xet file hash this is (only for finished layouts). */
  blobOf(fileHash: string): string | undefined {
    return this.shaOf.get(fileHash);
  }

  async layout(sha256: string): Promise<XetLayout | undefined> {
    if (!this.fileHashOf.has(sha256)) return undefined;
    const cached = this.cache.get(sha256);
    if (cached) return cached;
    try {
      const layout = decodeLayout(await readFile(this.layoutPath(sha256), "utf8"));
      this.cache.set(sha256, layout);
      return layout;
    } catch {
      // Unreadable (disk trouble, a hand-edited store): forget it and compute it again.
      this.fileHashOf.delete(sha256);
      this.enqueue([sha256]);
      return undefined;
    }
  }

  /** Queues blobs for layout computation (no-op for those done, queued or known to fail). */
  enqueue(sha256s: Iterable<string>): void {
    if (!this.enabled || this.stopped) return;
    for (const sha of sha256s) {
      if (isSha256(sha) && !this.fileHashOf.has(sha) && !this.failed.has(sha)) this.queue.add(sha);
    }
    if (!this.running && this.queue.size > 0) void this.drain();
  }

  /** Resolves when the queue is empty (tests and shutdown). */
  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private stopped = false;

  /** The hub is closing: the queue is dropped and a layout being computed is abandoned. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.clear();
    await this.idle();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = first(this.queue); next !== undefined; next = first(this.queue)) {
        try {
          await this.compute(next);
        } catch {
          // A blob that vanished or cannot be read stays plain LFS; it is retried after a restart.
          this.failed.add(next);
        } finally {
          this.queue.delete(next);
        }
      }
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async compute(sha256: string): Promise<void> {
    if (this.fileHashOf.has(sha256)) return;
    // Not here (yet): a mirrored object fetched on first download. Queued again when next seen.
    if (!(await this.blobs.stat(sha256))) return;
    const builder = new XetLayoutBuilder(this.limits);
    for await (const data of this.blobs.read(sha256)) {
      if (this.stopped) throw new Error("the hub is closing");
      builder.push(data as Buffer);
    }
    const layout = builder.finish();
    const dest = this.layoutPath(sha256);
    await mkdir(join(dest, ".."), { recursive: true });
    const tmp = join(this.dir, "tmp", `${sha256}.${process.pid}.${Date.now()}`);
    try {
      await writeFile(tmp, encodeLayout(layout));
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
    await writeFile(join(this.dir, "known", `${sha256}-${layout.fileHash}`), "");
    this.cache.set(sha256, layout);
    this.remember(sha256, layout.fileHash);
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}
