import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { HubferryError } from "../core/errors.js";
import { SNIFF_BYTES } from "../formats/sniff.js";
import { IntegrityError } from "../transfer/hashing.js";
import { orderedRead } from "../transfer/ordered-read.js";
import type { FewerStreams } from "../transfer/parallel-ranges.js";
import { type RangeSettings, rangeSettings } from "../transfer/range-settings.js";
import type { SourceFile, TransferSource } from "../transfer/types.js";

export interface DownloadOptions {
  signal: AbortSignal;
  /** Bytes arrived (for progress). */
  onBytes?: (n: number) => void;
  onRetry?: (attempt: number, waitMs: number, reason: string) => void;
  /** Looks at the first bytes; a returned reason refuses the file (the partial is deleted). */
  checkHead?: (head: Buffer) => string | undefined;
  /** A large file is read in several ranges at once, written in order (default: 4 streams, 32 MiB parts). */
  ranges?: RangeSettings;
  /** The source refused an extra range: the part is read again with fewer streams. */
  onFewerStreams?: (e: FewerStreams) => void;
}

/**
 * Downloads one file into `partial`, resuming from the bytes a previous run left there (a ranged
 * read from that offset, the kept prefix hashed from disk), and checks the whole against the
 * source's sha256 or git blob id. On a mismatch the partial is deleted; on success it is left for
 * the caller to rename into place. Returns the bytes reused from an earlier run.
 */
export async function downloadToPartial(
  source: TransferSource,
  file: SourceFile,
  partial: string,
  opts: DownloadOptions,
): Promise<{ resumedFrom: number }> {
  // Only the hashes the hub published are computed: sha1 (git blob id) costs 2.5x sha256 per byte.
  const sha = file.sha256 || !file.gitOid ? createHash("sha256") : undefined;
  const git = file.gitOid ? createHash("sha1").update(`blob ${file.size}\0`) : undefined;
  let offset = (await stat(partial).catch(() => undefined))?.size ?? 0;
  if (offset > file.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  const head: Buffer[] = [];
  let headBytes = 0;
  const keepHead = (c: Uint8Array) => {
    if (headBytes >= SNIFF_BYTES) return;
    head.push(Buffer.from(c.subarray(0, SNIFF_BYTES - headBytes)));
    headBytes += Math.min(c.byteLength, SNIFF_BYTES - headBytes);
  };
  if (offset > 0) {
    for await (const c of createReadStream(partial)) {
      sha?.update(c as Buffer);
      git?.update(c as Buffer);
      keepHead(c as Buffer);
    }
  }
  let checked = false;
  const check = () => {
    if (checked || !opts.checkHead) return;
    if (headBytes < Math.min(SNIFF_BYTES, file.size)) return;
    checked = true;
    const reason = opts.checkHead(Buffer.concat(head));
    if (reason)
      throw new HubferryError("UNSAFE", reason, "pass --allow-unsafe only if you trust the publisher");
  };
  try {
    check();
    if (offset < file.size) {
      await mkdir(dirname(partial), { recursive: true });
      const out = await open(partial, offset > 0 ? "a" : "w");
      try {
        // In order, even when read in several ranges at once: the partial is always a prefix.
        for await (const c of orderedRead(source, file.path, offset, file.size - 1, {
          signal: opts.signal,
          onRetry: opts.onRetry,
          ranges: opts.ranges ?? rangeSettings(),
          onFewerStreams: opts.onFewerStreams,
        })) {
          keepHead(c);
          check();
          sha?.update(c);
          git?.update(c);
          await out.write(c);
          opts.onBytes?.(c.byteLength);
        }
      } finally {
        await out.close();
      }
    } else await mkdir(dirname(partial), { recursive: true });
    check();
    const gotSha = sha?.digest("hex");
    const gotGit = git?.digest("hex");
    if ((file.sha256 && file.sha256 !== gotSha) || (file.gitOid && file.gitOid !== gotGit)) {
      throw new IntegrityError(`${file.path}: the downloaded bytes do not match the hash the hub publishes`);
    }
    file.sha256 ??= gotSha;
    return { resumedFrom: offset };
  } catch (err) {
    // Wrong bytes are never kept; a broken connection keeps what arrived, for the next run.
    if (err instanceof IntegrityError || (err instanceof HubferryError && err.code === "UNSAFE"))
      await rm(partial, { force: true });
    throw err;
  }
}
