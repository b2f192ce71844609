import pLimit from "p-limit";
import { HubferryError } from "../core/errors.js";
import type { EventSink } from "./events.js";
import { hashesOf, IntegrityError, verifiedStream } from "./hashing.js";
import { OrderedHasher } from "./ordered-hasher.js";
import type { Plan } from "./plan.js";
import { readAll, readRangeToBuffer, resumableRead } from "./resumable-read.js";
import type { CommitChange, SourceFile, TransferDestination, TransferSource, UploadMethod } from "./types.js";

export interface ExecuteOptions {
  signal: AbortSignal;
  events: EventSink;
  /** Files copied at the same time. */
  concurrency?: number;
  /** Parts of one file uploaded at the same time (and how far ahead of the hash a part may run). */
  partConcurrency?: number;
  /** A commit is made every this many files... */
  batchFiles?: number;
  /** ...or once this many bytes were uploaded, whichever comes first. */
  batchBytes?: number;
  /** Files up to this size are read into memory (they may travel inline in the commit). */
  smallFileMax?: number;
  /** Attempts per file when its bytes fail verification or its upload breaks. */
  fileAttempts?: number;
  /** Also delete the destination files the source does not have (sync). */
  deleteExtra?: boolean;
  commitMessage: (batch: number, batches: number) => string;
}

export interface ExecuteResult {
  files: number;
  bytes: number;
  skipped: number;
  deleted: number;
  commits: string[];
  seconds: number;
}

interface Prepared {
  file: SourceFile & { sha256: string };
  content?: Buffer;
  sample: Buffer;
}

/** Commit batches: bounded in files, in bytes, and in small-file bytes (those are held in memory). */
function batches(
  files: SourceFile[],
  maxFiles: number,
  maxBytes: number,
  smallMax: number,
  maxSmallBytes: number,
): SourceFile[][] {
  const out: SourceFile[][] = [];
  let cur: SourceFile[] = [];
  let bytes = 0;
  let small = 0;
  for (const f of files) {
    const isSmall = f.size <= smallMax;
    if (
      cur.length > 0 &&
      (cur.length >= maxFiles || bytes + f.size > maxBytes || (isSmall && small + f.size > maxSmallBytes))
    ) {
      out.push(cur);
      cur = [];
      bytes = 0;
      small = 0;
    }
    cur.push(f);
    bytes += f.size;
    if (isSmall) small += f.size;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Copies what the plan says: files in parallel, large files in parallel parts, every byte
 * hashed on its way and checked against the source's published hash before the destination may
 * keep it; commits in batches so that a long run keeps its progress.
 */
export async function executePlan(
  plan: Plan,
  source: TransferSource,
  dest: TransferDestination,
  opts: ExecuteOptions,
): Promise<ExecuteResult> {
  const t0 = Date.now();
  const { signal, events } = opts;
  const smallMax = opts.smallFileMax ?? 10 * 1024 * 1024;
  const attempts = opts.fileAttempts ?? 3;
  const readOpts = (what: string) => ({
    signal,
    onRetry: (attempt: number, waitMs: number, reason: string) =>
      events({ event: "retry", what: `read ${what}`, attempt, waitMs, reason }),
  });
  const result: ExecuteResult = {
    files: 0,
    bytes: 0,
    skipped: plan.present.length,
    deleted: 0,
    commits: [],
    seconds: 0,
  };
  const groups = batches(
    plan.copy,
    opts.batchFiles ?? 100,
    opts.batchBytes ?? 10 * 1024 ** 3,
    smallMax,
    64 * 1024 * 1024,
  );
  const fileLimit = pLimit(opts.concurrency ?? 4);
  const partWindow = opts.partConcurrency ?? 4;
  // Parts are held in memory while read, hashed and sent: this bounds them across all files.
  const partsInMemory = pLimit(opts.partConcurrency ?? 4);

  const progress = new Map<string, { sent: number; lastEmit: number }>();
  const onBytes = (path: string, size: number) => (n: number) => {
    const p = progress.get(path) ?? { sent: 0, lastEmit: 0 };
    p.sent += n;
    progress.set(path, p);
    const now = Date.now();
    if (now - p.lastEmit >= 200 || p.sent === size) {
      p.lastEmit = now;
      events({ event: "file_progress", path, bytes: Math.min(p.sent, size), size });
    }
  };

  /** Small files: bytes in memory, checked against what the source publishes. */
  async function prepare(file: SourceFile): Promise<Prepared> {
    if (file.size <= smallMax) {
      const content = await readAll(source, file.path, file.size, readOpts(file.path));
      const h = hashesOf(content);
      if (
        (file.sha256 && file.sha256 !== h.sha256) ||
        (file.gitOid && file.gitOid !== h.gitOid) ||
        content.byteLength !== file.size
      ) {
        throw new IntegrityError(
          `${file.path}: the bytes read do not match the source's listing (size or hash)`,
        );
      }
      // Remember what was learnt, so the final verification can compare whatever the destination lists.
      file.sha256 ??= h.sha256;
      file.gitOid ??= h.gitOid;
      return { file: { ...file, sha256: h.sha256 }, content, sample: content.subarray(0, 512) };
    }
    if (!file.sha256) {
      throw new HubferryError(
        "PROTOCOL",
        `${file.path}: the source publishes no sha256 for this ${file.size}-byte file`,
        "this file is too large to hash in memory; it cannot be streamed safely",
      );
    }
    const sample = dest.wantsSample
      ? await readAll(source, file.path, Math.min(512, file.size), readOpts(file.path))
      : Buffer.alloc(0);
    return { file: { ...file, sha256: file.sha256 }, sample: sample.subarray(0, 512) };
  }

  async function upload(p: Prepared, method: UploadMethod): Promise<CommitChange> {
    const { file } = p;
    const report = onBytes(file.path, file.size);
    if (method.kind === "inline") {
      if (!p.content) p.content = await readAll(source, file.path, file.size, readOpts(file.path));
      report(file.size);
      return { kind: "inline", path: file.path, content: p.content };
    }
    if (method.kind === "stored") {
      return { kind: "lfs", path: file.path, sha256: file.sha256, size: file.size };
    }
    if (method.kind === "single") {
      const body = p.content
        ? (async function* () {
            yield p.content!;
          })()
        : verifiedStream(resumableRead(source, file.path, 0, file.size - 1, readOpts(file.path)), {
            ...file,
            path: file.path,
          });
      await method.put(body, signal);
      report(file.size - (progress.get(file.path)?.sent ?? 0));
      return { kind: "lfs", path: file.path, sha256: file.sha256, size: file.size };
    }
    // Parts: each part is read into memory, hashed in order, and PUT in parallel; the upload is
    // completed only once the whole file's hash is known to be right.
    const hasher = new OrderedHasher();
    const etags: string[] = new Array(method.partCount);
    await Promise.all(
      Array.from({ length: method.partCount }, (_, i) =>
        partsInMemory(async () => {
          await hasher.admit(i, partWindow);
          const start = i * method.partSize;
          const end = Math.min(file.size, start + method.partSize) - 1;
          const data = await readRange(start, end);
          hasher.add(i, data);
          etags[i] = await method.putPart(i, data, signal);
          report(data.byteLength);
        }),
      ),
    );
    const got = hasher.digest();
    if (got.sha256 !== file.sha256 || got.size !== file.size) {
      throw new IntegrityError(
        `${file.path}: the parts read hash to ${got.sha256.slice(0, 12)}… (${got.size} bytes), expected ${file.sha256.slice(0, 12)}… (${file.size} bytes)`,
      );
    }
    await method.complete(etags, signal);
    return { kind: "lfs", path: file.path, sha256: file.sha256, size: file.size };

    function readRange(start: number, end: number): Promise<Buffer> {
      return readRangeToBuffer(source, file.path, start, end, readOpts(file.path));
    }
  }

  const retriable = (err: unknown) =>
    err instanceof IntegrityError ||
    (err instanceof HubferryError && ["NETWORK", "SERVER", "RATE_LIMITED", "PROTOCOL"].includes(err.code));

  /**
   * One file end to end. The first attempt may come with the upload method the batch already
   * obtained; a failed attempt starts over (fresh read, fresh upload URLs), up to `attempts`.
   */
  async function copyFile(
    file: SourceFile,
    first?: { p: Prepared; method: UploadMethod },
  ): Promise<CommitChange> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1 || !first) events({ event: "file_start", path: file.path, size: file.size });
        progress.set(file.path, { sent: 0, lastEmit: 0 });
        let p: Prepared;
        let method: UploadMethod;
        if (attempt === 1 && first) ({ p, method } = first);
        else {
          p = await prepare(file);
          [method] = (await dest.prepare(
            [{ path: file.path, size: file.size, sha256: p.file.sha256, sample: p.sample }],
            signal,
          )) as [UploadMethod];
        }
        const change = await upload(p, method);
        events({
          event: "file_done",
          path: file.path,
          size: file.size,
          sha256: p.file.sha256,
          method: method.kind,
        });
        return change;
      } catch (err) {
        if (signal.aborted) throw new HubferryError("CANCELLED", "cancelled");
        if (!retriable(err) || attempt >= attempts) throw err;
        events({
          event: "retry",
          what: `file ${file.path}`,
          attempt,
          waitMs: 0,
          reason: (err as Error).message,
        });
      }
    }
  }

  function prepareAnnounced(f: SourceFile): Promise<Prepared> {
    events({ event: "file_start", path: f.path, size: f.size });
    return prepare(f);
  }

  /** A batch: small files read and hashed, one `prepare` call for all, then uploads in parallel. */
  async function copyGroup(group: SourceFile[]): Promise<CommitChange[]> {
    const prepared = await Promise.all(
      group.map((f) =>
        fileLimit(() =>
          prepareAnnounced(f).catch((err) => {
            if (!retriable(err)) throw err;
            // Tried again on its own below, from a fresh read.
            events({
              event: "retry",
              what: `file ${f.path}`,
              attempt: 1,
              waitMs: 0,
              reason: (err as Error).message,
            });
            return undefined;
          }),
        ),
      ),
    );
    const ready = prepared.filter((p): p is Prepared => !!p);
    const methods = ready.length
      ? await dest.prepare(
          ready.map((p) => ({
            path: p.file.path,
            size: p.file.size,
            sha256: p.file.sha256,
            sample: p.sample,
          })),
          signal,
        )
      : [];
    const byPath = new Map(ready.map((p, i) => [p.file.path, { p, method: methods[i]! }]));
    return Promise.all(group.map((f) => fileLimit(() => copyFile(f, byPath.get(f.path)))));
  }

  // Deletions (sync) ride in the last batch's commit; with nothing to copy they are a commit of their own.
  const deletions: CommitChange[] = opts.deleteExtra
    ? plan.delete.map((path) => ({ kind: "delete" as const, path }))
    : [];
  const total = Math.max(groups.length, deletions.length ? 1 : 0);
  for (let i = 0; i < total; i++) {
    const group = groups[i] ?? [];
    const changes = group.length ? await copyGroup(group) : [];
    const last = i === total - 1;
    if (last) changes.push(...deletions);
    const message = opts.commitMessage(i + 1, total);
    const commit = await dest.commit(changes, message, signal);
    result.commits.push(commit);
    result.files += group.length;
    result.bytes += group.reduce((n, f) => n + f.size, 0);
    if (last) result.deleted = deletions.length;
    events({ event: "commit", commit, files: group.length, deleted: last ? deletions.length : 0, message });
  }
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}
