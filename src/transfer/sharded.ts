import { HubferryError } from "../core/errors.js";
import type { Share } from "./deal.js";
import type { EventSink, TransferEvent } from "./events.js";
import {
  type Copied,
  commitGroup,
  type ExecuteOptions,
  type ExecuteResult,
  emptyResult,
  newRun,
  prepareFile,
  type Run,
  tally,
} from "./execute.js";
import { IntegrityError } from "./hashing.js";
import type { Plan } from "./plan.js";
import type { CommitChange, SourceFile, TransferDestination, TransferSource } from "./types.js";

/**
 * Runs one worker on its share: resolves once the worker has ended well, rejects with its error.
 * Its events (file_start, file_progress, file_done, retry, rate_limit) go to `events`.
 */
export type LaunchWorker = (share: Share, events: EventSink, signal: AbortSignal) => Promise<void>;

export interface ShardedOptions extends ExecuteOptions {
  shares: Share[];
  launch: LaunchWorker;
  /** How many times a failed worker's unfinished files are handed to a new worker (default 1). */
  reassign?: number;
}

type FileDone = Extract<TransferEvent, { event: "file_done" }>;

/** Errors after which another worker may well succeed; a refused token or a bad input would fail it too. */
const REASSIGNABLE = new Set(["NETWORK", "SERVER", "RATE_LIMITED", "PROTOCOL", "INTEGRITY"]);
const reassignable = (err: unknown) =>
  !(err instanceof HubferryError) || REASSIGNABLE.has(err.code) || err instanceof IntegrityError;

/** The state the coordinator keeps: verified files waiting for a commit, and how the run goes. */
class Coordinator {
  readonly run: Run;
  readonly result: ExecuteResult;
  private readonly planned: Map<string, SourceFile>;
  private readonly finished = new Set<string>();
  /** Reports that were not taken, and why: said when their worker is counted as failed. */
  readonly refusedReports = new Map<string, string>();
  /** Verified by a worker, not yet committed: uploaded files, and files to send inline. */
  private ready: { file: SourceFile; done?: FileDone }[] = [];
  private readyBytes = 0;
  private committing: Promise<void> = Promise.resolve();
  private commitError: unknown;
  private batch = 0;
  /** Stops every worker: Ctrl-C, a failure another worker would meet too, or a failed commit. */
  readonly stop = new AbortController();
  nextWorker: number;
  failures: unknown[] = [];

  constructor(
    private readonly plan: Plan,
    source: TransferSource,
    dest: TransferDestination,
    readonly opts: ShardedOptions,
  ) {
    // Commits follow Ctrl-C only: workers stopped for a failure still leave their verified files committed.
    this.run = newRun(source, dest, opts);
    this.result = emptyResult(plan.present.length);
    this.planned = new Map(plan.copy.map((f) => [f.path, f]));
    this.nextWorker = opts.shares.length + 1;
    const onAbort = () => this.stop.abort();
    opts.signal.addEventListener("abort", onAbort, { once: true });
    if (opts.signal.aborted) onAbort();
  }

  get cancelled(): boolean {
    return this.opts.signal.aborted;
  }

  unfinished(files: SourceFile[]): SourceFile[] {
    return files.filter((f) => !this.finished.has(f.path));
  }

  /** A worker's event: relayed with its number; a `file_done` is checked and queued for a commit. */
  onEvent(worker: number, e: TransferEvent): void {
    if (e.event === "file_done") this.onFileDone(worker, e);
    else if (
      e.event === "file_start" ||
      e.event === "file_progress" ||
      e.event === "retry" ||
      e.event === "rate_limit"
    )
      this.opts.events({ ...e, worker });
  }

  private onFileDone(worker: number, e: FileDone): void {
    const file = this.planned.get(e.path);
    // Only files of the plan, once each, with the size and hash the source published.
    if (!file || this.finished.has(e.path)) return;
    if (e.size !== file.size || (file.sha256 && file.sha256 !== e.sha256)) {
      this.refusedReports.set(
        e.path,
        `worker ${worker} reported ${e.path} with a size or hash the source does not publish`,
      );
      return;
    }
    file.sha256 ??= e.sha256;
    this.finished.add(e.path);
    if (e.method === "inline") this.ready.push({ file });
    else {
      this.ready.push({ file, done: { ...e, worker } });
      this.opts.events({ ...e, worker });
    }
    this.readyBytes += file.size;
    if (
      this.ready.length >= (this.opts.batchFiles ?? 100) ||
      this.readyBytes >= (this.opts.batchBytes ?? 10 * 1024 ** 3)
    )
      this.commitReady([]);
  }

  /** Commits what is ready (after any commit still running): commits never overlap. */
  commitReady(extra: CommitChange[]): Promise<void> {
    const take = this.ready;
    this.ready = [];
    this.readyBytes = 0;
    if (take.length === 0 && extra.length === 0) return this.committing;
    this.committing = this.committing.then(async () => {
      if (this.commitError || this.cancelled) return;
      try {
        await this.commitBatch(take, extra);
      } catch (err) {
        this.commitError = err;
        this.stop.abort();
      }
    });
    return this.committing;
  }

  /** Files sent inline are read here, checked against the source's hash, and carried by the commit. */
  private async commitBatch(take: { file: SourceFile; done?: FileDone }[], extra: CommitChange[]) {
    const copied: Copied[] = [];
    for (const { file, done } of take) {
      if (done) {
        copied.push({ change: { kind: "lfs", path: file.path, sha256: done.sha256, size: file.size }, done });
        continue;
      }
      const p = await prepareFile(this.run, file);
      this.run.meter.start(file.path, file.size);
      copied.push({
        change: { kind: "inline", path: file.path, content: p.content ?? Buffer.alloc(0) },
        done: {
          event: "file_done",
          path: file.path,
          size: file.size,
          sha256: p.file.sha256,
          method: "inline",
        },
      });
    }
    this.batch++;
    const expected = Math.max(1, Math.ceil(this.plan.copy.length / (this.opts.batchFiles ?? 100)));
    const message = this.opts.commitMessage(this.batch, Math.max(this.batch, expected));
    const commit = await commitGroup(this.run, copied, extra, message);
    this.result.commits.push(commit);
    tally(this.result, copied);
    const deleted = extra.filter((c) => c.kind === "delete").length;
    this.result.deleted += deleted;
    this.opts.events({ event: "commit", commit, files: copied.length, deleted, message });
  }

  /** Throws what stopped the commits, if anything did. */
  async settled(): Promise<void> {
    await this.committing;
    if (this.commitError) throw this.commitError;
  }
}

/** One share through its worker; a failure hands the unfinished files to a new worker, while allowed. */
async function runShare(c: Coordinator, share: Share, reassignLeft: number): Promise<void> {
  let error: unknown;
  try {
    await c.opts.launch(share, (e) => c.onEvent(share.worker, e), c.stop.signal);
  } catch (err) {
    error = err;
  }
  if (c.stop.signal.aborted) return;
  const left = c.unfinished(share.files);
  const bytes = left.reduce((n, f) => n + f.size, 0);
  if (left.length === 0) {
    c.opts.events({
      event: "worker",
      worker: share.worker,
      state: "done",
      files: share.files.length,
      bytes: share.bytes,
    });
    return;
  }
  const refused = c.refusedReports.get(left[0]!.path);
  error ??= new HubferryError(
    "PROTOCOL",
    `worker ${share.worker} ended without reporting ${left.length} of its files (${left[0]!.path}${left.length > 1 ? ", …" : ""})${refused ? `: ${refused}` : ""}`,
  );
  const again = reassignLeft > 0 && reassignable(error);
  const next: Share | undefined = again ? { worker: c.nextWorker++, files: left, bytes } : undefined;
  c.opts.events({
    event: "worker",
    worker: share.worker,
    state: "failed",
    files: left.length,
    bytes,
    code: error instanceof HubferryError ? error.code : "SERVER",
    reason: (error as Error).message,
    next: next
      ? `handed to worker ${next.worker}`
      : "left for a re-run, which sends only what the destination lacks",
  });
  if (!next) {
    c.failures.push(error);
    // An error another worker would meet too ends the run; the files verified so far are committed.
    if (!reassignable(error)) c.stop.abort();
    return;
  }
  c.opts.events({
    event: "worker",
    worker: next.worker,
    state: "started",
    files: left.length,
    bytes,
    replaces: share.worker,
  });
  await runShare(c, next, reassignLeft - 1);
}

/**
 * A plan carried out by several workers: each uploads its share's files (verified against the
 * source's hashes) and reports them; this side alone commits, in batches of files already
 * verified, so a destination's commit lock is never contended and nothing unverified is committed.
 * Deletions (sync) ride in the last commit, and only when every file arrived. Ctrl-C stops every
 * worker and commits nothing more; a worker that fails has its unfinished files handed on.
 */
export async function executeSharded(
  plan: Plan,
  source: TransferSource,
  dest: TransferDestination,
  opts: ShardedOptions,
): Promise<ExecuteResult> {
  const t0 = Date.now();
  const c = new Coordinator(plan, source, dest, opts);
  for (const share of opts.shares)
    opts.events({
      event: "worker",
      worker: share.worker,
      state: "started",
      files: share.files.length,
      bytes: share.bytes,
    });
  await Promise.all(opts.shares.map((share) => runShare(c, share, opts.reassign ?? 1)));
  if (c.cancelled)
    throw new HubferryError("CANCELLED", "cancelled: every worker was stopped; nothing half-committed");
  await c.settled();
  const complete = c.failures.length === 0;
  const deletions: CommitChange[] =
    complete && opts.deleteExtra ? plan.delete.map((path) => ({ kind: "delete" as const, path })) : [];
  await c.commitReady(deletions);
  await c.settled();
  if (!complete) {
    const first = c.failures[0] as Error;
    const code = first instanceof HubferryError ? first.code : "SERVER";
    throw new HubferryError(
      code,
      `${c.failures.length} worker(s) failed: ${first.message}`,
      `${c.result.files} verified file(s) were committed; re-run to send the rest (only what the destination lacks moves)`,
    );
  }
  c.result.seconds = (Date.now() - t0) / 1000;
  return c.result;
}
