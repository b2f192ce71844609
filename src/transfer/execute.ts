import pLimit from "p-limit";
import { HubferryError } from "../core/errors.js";
import type { EventSink, TransferEvent } from "./events.js";
import { hashesOf, IntegrityError, verifiedStream } from "./hashing.js";
import { OrderedHasher } from "./ordered-hasher.js";
import { orderedRead } from "./ordered-read.js";
import { fewerStreamsReason } from "./parallel-ranges.js";
import type { Plan } from "./plan.js";
import { ProgressMeter } from "./progress.js";
import { type RangeSettings, rangeSettings, rangeSettingsFromEnv } from "./range-settings.js";
import { readAll, readRangeToBuffer } from "./resumable-read.js";
import { streamPart } from "./stream-part.js";
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
  /**
   * A large file sent in one request is read in this many ranges at once, in parts of this size
   * (default: HUBFERRY_RANGE_STREAMS and HUBFERRY_RANGE_PART_MIB, else 4 streams of 32 MiB parts).
   */
  ranges?: Partial<RangeSettings>;
  commitMessage: (batch: number, batches: number) => string;
}

export interface ExecuteResult {
  /** Files committed. */
  files: number;
  /** Bytes sent to the destination (files it already stored are not counted here). */
  bytes: number;
  /** Files committed whose bytes the destination already stored (sent nothing). */
  stored: number;
  storedBytes: number;
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

type FileDone = Extract<TransferEvent, { event: "file_done" }>;

/** One copied file: what the commit records, and its `file_done` (an inline file's waits for the commit to send it). */
export interface Copied {
  change: CommitChange;
  done: FileDone;
}

/** What every step of a run shares. */
export interface Run {
  source: TransferSource;
  dest: TransferDestination;
  signal: AbortSignal;
  events: EventSink;
  meter: ProgressMeter;
  smallMax: number;
  attempts: number;
  fileLimit: ReturnType<typeof pLimit>;
  partWindow: number;
  /** Parts are held in memory while read, hashed and sent: this bounds them across all files. */
  partsInMemory: ReturnType<typeof pLimit>;
  /** How a large file sent in one request is read (parts go each in its own range already). */
  ranges: RangeSettings;
  /**
   * A worker of a sharded run: files the destination wants inline are not sent (they travel in
   * the coordinator's commit); their `file_done` says `inline` at once, to report them verified.
   */
  deferInline: boolean;
}

/** Commit batches: bounded in files, in bytes, and in small-file bytes (those are held in memory). */
export function batches(
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

function readOpts(run: Run, what: string) {
  return {
    signal: run.signal,
    onRetry: (attempt: number, waitMs: number, reason: string) =>
      run.events({ event: "retry", what: `read ${what}`, attempt, waitMs, reason }),
  };
}

/** Small files: bytes in memory, checked against what the source publishes. */
export async function prepareFile(run: Run, file: SourceFile): Promise<Prepared> {
  const { source } = run;
  if (file.size <= run.smallMax) {
    const content = await readAll(source, file.path, file.size, readOpts(run, file.path));
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
  const sample = run.dest.wantsSample
    ? await readAll(source, file.path, Math.min(512, file.size), readOpts(run, file.path))
    : Buffer.alloc(0);
  return { file: { ...file, sha256: file.sha256 }, sample: sample.subarray(0, 512) };
}

/** A large file's bytes in order, read in several ranges at once where that is faster. */
function readWhole(run: Run, file: SourceFile): AsyncIterable<Uint8Array> {
  let fewer = 0;
  return orderedRead(run.source, file.path, 0, file.size - 1, {
    ...readOpts(run, file.path),
    ranges: run.ranges,
    onFewerStreams: (e) =>
      run.events({
        event: "retry",
        what: `read ${file.path}`,
        attempt: ++fewer,
        waitMs: 0,
        reason: fewerStreamsReason(e),
      }),
  });
}

/**
 * One streamed request: bytes count as the HTTP client sends them. The body is hashed on its
 * way in order, whether it was read in one range or several.
 */
async function uploadSingle(run: Run, p: Prepared, method: Extract<UploadMethod, { kind: "single" }>) {
  const { file } = p;
  const body = p.content
    ? (async function* () {
        yield p.content!;
      })()
    : verifiedStream(readWhole(run, file), file);
  await method.put(body, run.signal, (n) => run.meter.add(file.path, n));
  run.meter.complete(file.path);
}

/**
 * Parts: each part streams from its range into its PUT, is kept in memory to be hashed in order,
 * and several go at once; the upload is
 * completed only once the whole file's hash is known to be right.
 */
async function uploadParts(run: Run, p: Prepared, method: Extract<UploadMethod, { kind: "parts" }>) {
  const { file } = p;
  const hasher = new OrderedHasher();
  const etags: string[] = new Array(method.partCount);
  await Promise.all(
    Array.from({ length: method.partCount }, (_, i) =>
      run.partsInMemory(async () => {
        await hasher.admit(i, run.partWindow);
        const start = i * method.partSize;
        const end = Math.min(file.size, start + method.partSize) - 1;
        const { etag, data } = await streamPart(
          run.source,
          method,
          { path: file.path, index: i, start, end },
          { ...readOpts(run, file.path), onSent: (n) => run.meter.add(file.path, n) },
        );
        hasher.add(i, data);
        etags[i] = etag;
      }),
    ),
  );
  const got = hasher.digest();
  if (got.sha256 !== file.sha256 || got.size !== file.size) {
    throw new IntegrityError(
      `${file.path}: the parts read hash to ${got.sha256.slice(0, 12)}… (${got.size} bytes), expected ${file.sha256.slice(0, 12)}… (${file.size} bytes)`,
    );
  }
  await method.complete(etags, run.signal);
  run.meter.complete(file.path);
}

async function upload(run: Run, p: Prepared, method: UploadMethod): Promise<CommitChange> {
  const { file } = p;
  const lfs: CommitChange = { kind: "lfs", path: file.path, sha256: file.sha256, size: file.size };
  if (method.kind === "inline") {
    if (run.deferInline) return { kind: "inline", path: file.path, content: Buffer.alloc(0) };
    // Its bytes are counted as the commit carrying them is sent.
    if (!p.content) p.content = await readAll(run.source, file.path, file.size, readOpts(run, file.path));
    return { kind: "inline", path: file.path, content: p.content };
  }
  if (method.kind === "single") await uploadSingle(run, p, method);
  else if (method.kind === "parts") await uploadParts(run, p, method);
  return lfs;
}

const retriable = (err: unknown) =>
  err instanceof IntegrityError ||
  (err instanceof HubferryError && ["NETWORK", "SERVER", "RATE_LIMITED", "PROTOCOL"].includes(err.code));

/**
 * One file end to end. The first attempt may come with the upload method the batch already
 * obtained; a failed attempt starts over (fresh read, fresh upload URLs), up to `attempts`.
 */
async function copyFile(
  run: Run,
  file: SourceFile,
  first?: { p: Prepared; method: UploadMethod },
): Promise<Copied> {
  const { events, signal } = run;
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1 || !first) events({ event: "file_start", path: file.path, size: file.size });
      run.meter.start(file.path, file.size);
      let p: Prepared;
      let method: UploadMethod;
      if (attempt === 1 && first) ({ p, method } = first);
      else {
        p = await prepareFile(run, file);
        [method] = (await run.dest.prepare(
          [{ path: file.path, size: file.size, sha256: p.file.sha256, sample: p.sample }],
          signal,
        )) as [UploadMethod];
      }
      const change = await upload(run, p, method);
      const done: FileDone = {
        event: "file_done",
        path: file.path,
        size: file.size,
        sha256: p.file.sha256,
        method: method.kind,
      };
      if (method.kind !== "inline" || run.deferInline) events(done);
      return { change, done };
    } catch (err) {
      if (signal.aborted) throw new HubferryError("CANCELLED", "cancelled");
      if (!retriable(err) || attempt >= run.attempts) throw err;
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

/** A batch: small files read and hashed, one `prepare` call for all, then uploads in parallel. */
async function copyGroup(run: Run, group: SourceFile[]): Promise<Copied[]> {
  const { events } = run;
  const prepared = await Promise.all(
    group.map((f) =>
      run.fileLimit(() => {
        events({ event: "file_start", path: f.path, size: f.size });
        return prepareFile(run, f).catch((err) => {
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
        });
      }),
    ),
  );
  const ready = prepared.filter((p): p is Prepared => !!p);
  const methods = ready.length
    ? await run.dest.prepare(
        ready.map((p) => ({ path: p.file.path, size: p.file.size, sha256: p.file.sha256, sample: p.sample })),
        run.signal,
      )
    : [];
  const byPath = new Map(ready.map((p, i) => [p.file.path, { p, method: methods[i]! }]));
  return Promise.all(group.map((f) => run.fileLimit(() => copyFile(run, f, byPath.get(f.path)))));
}

/**
 * Commits a batch. Inline files travel in the commit: their progress follows its body, and their
 * `file_done` comes once it has been sent.
 */
export async function commitGroup(
  run: Run,
  copied: Copied[],
  extra: CommitChange[],
  message: string,
): Promise<string> {
  const waiting = new Map(copied.filter((c) => c.done.method === "inline").map((c) => [c.done.path, c.done]));
  const finish = (path: string) => {
    const done = waiting.get(path);
    if (!done) return;
    waiting.delete(path);
    run.meter.complete(path);
    run.events(done);
  };
  const changes = [...copied.map((c) => c.change), ...extra];
  const commit = await run.dest.commit(changes, message, run.signal, (path, n) => {
    run.meter.add(path, n);
    if (run.meter.bytes(path) >= (waiting.get(path)?.size ?? Number.POSITIVE_INFINITY)) finish(path);
  });
  for (const path of [...waiting.keys()]) finish(path);
  return commit;
}

/** Adds a committed batch to the result: bytes sent apart from bytes the destination already had. */
export function tally(result: ExecuteResult, copied: Copied[]): void {
  result.files += copied.length;
  for (const { done } of copied) {
    if (done.method === "stored") {
      result.stored++;
      result.storedBytes += done.size;
    } else result.bytes += done.size;
  }
}

/** What every step of a run shares, from the options. */
export function newRun(
  source: TransferSource,
  dest: TransferDestination,
  opts: Omit<ExecuteOptions, "commitMessage">,
  deferInline = false,
): Run {
  return {
    source,
    dest,
    signal: opts.signal,
    events: opts.events,
    meter: new ProgressMeter(opts.events),
    smallMax: opts.smallFileMax ?? 10 * 1024 * 1024,
    attempts: opts.fileAttempts ?? 3,
    fileLimit: pLimit(opts.concurrency ?? 4),
    partWindow: opts.partConcurrency ?? 4,
    partsInMemory: pLimit(opts.partConcurrency ?? 4),
    ranges: opts.ranges ? rangeSettings(opts.ranges) : rangeSettingsFromEnv(process.env),
    deferInline,
  };
}

export function emptyResult(skipped: number): ExecuteResult {
  return { files: 0, bytes: 0, stored: 0, storedBytes: 0, skipped, deleted: 0, commits: [], seconds: 0 };
}

/**
 * A worker's part of a sharded run: its files copied as a local run copies them (read, hashed,
 * uploaded through the destination's own upload endpoints, verified), but nothing is committed.
 * Each verified file is reported by its `file_done`, with its sha256; files the destination takes
 * inline are reported `inline` without being sent, for the coordinator's commit to carry.
 */
export async function uploadWithoutCommit(
  files: SourceFile[],
  source: TransferSource,
  dest: TransferDestination,
  opts: Omit<ExecuteOptions, "commitMessage" | "deleteExtra">,
): Promise<number> {
  const run = newRun(source, dest, opts, true);
  const groups = batches(
    files,
    opts.batchFiles ?? 100,
    opts.batchBytes ?? 10 * 1024 ** 3,
    run.smallMax,
    64 * 1024 * 1024,
  );
  let done = 0;
  for (const group of groups) done += (await copyGroup(run, group)).length;
  return done;
}

/** One batch's commit, its share of the result, and its `commit` event. */
async function commitBatch(
  run: Run,
  result: ExecuteResult,
  batch: { copied: Copied[]; files: number; deletions: CommitChange[]; message: string },
): Promise<void> {
  const commit = await commitGroup(run, batch.copied, batch.deletions, batch.message);
  result.commits.push(commit);
  tally(result, batch.copied);
  result.deleted += batch.deletions.length;
  run.events({
    event: "commit",
    commit,
    files: batch.files,
    deleted: batch.deletions.length,
    message: batch.message,
  });
}

/**
 * Copies what the plan says: files in parallel, large files in parallel parts, every byte
 * hashed on its way and checked against the source's published hash before the destination may
 * keep it; commits in batches so that a long run keeps its progress.
 *
 * Batches are pipelined: the next batch is copied while the previous one's commit is in flight
 * (a commit can take seconds on a real hub), and commits stay one at a time, in order. A commit
 * that fails stops the copying at once; the commit in flight when a copy fails is let finish, so
 * what it carries is kept for the re-run.
 */
export async function executePlan(
  plan: Plan,
  source: TransferSource,
  dest: TransferDestination,
  opts: ExecuteOptions,
): Promise<ExecuteResult> {
  const t0 = Date.now();
  const stop = new AbortController();
  const run = newRun(source, dest, { ...opts, signal: AbortSignal.any([opts.signal, stop.signal]) });
  const result = emptyResult(plan.present.length);
  const groups = batches(
    plan.copy,
    opts.batchFiles ?? 100,
    opts.batchBytes ?? 10 * 1024 ** 3,
    run.smallMax,
    64 * 1024 * 1024,
  );
  // Deletions (sync) ride in the last batch's commit; with nothing to copy they are a commit of their own.
  const deletions: CommitChange[] = opts.deleteExtra
    ? plan.delete.map((path) => ({ kind: "delete" as const, path }))
    : [];
  const total = Math.max(groups.length, deletions.length ? 1 : 0);
  let inFlight: Promise<void> = Promise.resolve();
  let failed: { err: unknown } | undefined;
  for (let i = 0; i < total; i++) {
    const group = groups[i] ?? [];
    let copied: Copied[];
    try {
      copied = group.length ? await copyGroup(run, group) : [];
    } catch (err) {
      await inFlight;
      // A copy stopped by a failed commit reports the commit's error, its cause.
      throw failed ? failed.err : err;
    }
    await inFlight;
    if (failed) throw failed.err;
    const batch = {
      copied,
      files: group.length,
      deletions: i === total - 1 ? deletions : [],
      message: opts.commitMessage(i + 1, total),
    };
    inFlight = commitBatch(run, result, batch).catch((err) => {
      failed = { err };
      stop.abort();
    });
  }
  await inFlight;
  if (failed) throw (failed as { err: unknown }).err;
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}
