import { stat } from "node:fs/promises";
import pLimit from "p-limit";
import { acquirePullLock } from "../caches/pull-lock.js";
import type { PullTarget } from "../caches/pull-target.js";
import { HubferryError } from "../core/errors.js";
import type { RepoRef } from "../core/repo-ref.js";
import { contentRefusal } from "../formats/sniff.js";
import type { Hub } from "../hubs/hub.js";
import type { EventSink } from "../transfer/events.js";
import { fewerStreamsReason } from "../transfer/parallel-ranges.js";
import { ProgressMeter } from "../transfer/progress.js";
import { type RangeSettings, rangeSettings, rangeSettingsFromEnv } from "../transfer/range-settings.js";
import type { SourceFile } from "../transfer/types.js";
import { downloadToPartial } from "./download-file.js";
import { type SelectOptions, selectFiles } from "./select-files.js";

/** Attempts per file, as the transfer engine makes. */
const FILE_ATTEMPTS = 3;

export interface PullOptions {
  hub: Hub;
  ref: RepoRef;
  revision?: string;
  /** Where the files go, once the commit is known. */
  target: (commit: string) => PullTarget;
  select: Omit<SelectOptions, "type">;
  events: EventSink;
  signal: AbortSignal;
  concurrency?: number;
  /**
   * A large file is read in this many ranges at once, in parts of this size (default:
   * HUBFERRY_RANGE_STREAMS and HUBFERRY_RANGE_PART_MIB, else 4 streams of 32 MiB parts).
   */
  ranges?: Partial<RangeSettings>;
  /** Only plan: say what would be fetched. */
  dryRun?: boolean;
}

export interface PullResult {
  path: string;
  commit: string;
  fetched: number;
  bytes: number;
  present: number;
}

/**
 * Pulls a repo revision: picks the files (safety policy, quantisation, split, filters), skips what
 * is already in place, downloads the rest in parallel with resume and verification, and only then
 * writes the ref, so a reader never sees a revision half-pulled.
 */
export async function pull(opts: PullOptions): Promise<PullResult> {
  const t0 = Date.now();
  const { events, signal } = opts;
  const ranges = opts.ranges ? rangeSettings(opts.ranges) : rangeSettingsFromEnv(process.env);
  const source = await opts.hub.source(opts.ref, opts.revision);
  const sel = selectFiles(await source.list(), { ...opts.select, type: opts.ref.type });
  if (sel.fetch.length === 0)
    throw new HubferryError(
      "FILE_NOT_FOUND",
      `nothing to pull from ${source.label}: no file passes the filters and the safety policy`,
      sel.notes.join("; ") || "loosen --include/--exclude",
    );
  const target = opts.target(source.revision);
  const lock = opts.dryRun ? undefined : await acquirePullLock(target.lockDir);
  try {
    const todo: SourceFile[] = [];
    let present = 0;
    for (const f of sel.fetch) {
      if (await target.has(f)) present++;
      else if (!opts.dryRun && (await target.reuse?.(f))) present++;
      else todo.push(f);
    }
    const bytes = todo.reduce((n, f) => n + f.size, 0);
    events({
      event: "plan",
      source: source.label,
      destination: target.label,
      destinationUrl: target.snapshotDir,
      revision: source.revision,
      copy: todo.map((f) => ({ path: f.path, size: f.size })),
      present,
      refused: sel.refused,
      delete: [],
      extra: null,
      bytes,
      notes: sel.notes,
    });
    if (opts.dryRun)
      return { path: target.snapshotDir, commit: source.revision, fetched: 0, bytes: 0, present };

    const limit = pLimit(opts.concurrency ?? 4);
    const meter = new ProgressMeter(events);
    // What really came over the network: bytes kept from an earlier run are not counted.
    let downloaded = 0;
    const results = await Promise.allSettled(
      todo.map((f) =>
        limit(async () => {
          if (signal.aborted) throw new HubferryError("CANCELLED", "cancelled");
          const partial = target.partialPath(f);
          let fewer = 0;
          const before = (await stat(partial).catch(() => undefined))?.size ?? 0;
          events({ event: "file_start", path: f.path, size: f.size });
          meter.start(f.path, f.size, Math.min(before, f.size));
          const download = () =>
            downloadToPartial(source, f, partial, {
              signal,
              onBytes: (n) => {
                downloaded += n;
                meter.add(f.path, n);
              },
              onRetry: (attempt, waitMs, reason) =>
                events({ event: "retry", what: `read ${f.path}`, attempt, waitMs, reason }),
              checkHead: opts.select.allowUnsafe ? undefined : (head) => contentRefusal(f.path, head),
              ranges,
              onFewerStreams: (e) =>
                events({
                  event: "retry",
                  what: `read ${f.path}`,
                  attempt: ++fewer,
                  waitMs: 0,
                  reason: fewerStreamsReason(e),
                }),
            });
          // Wrong bytes (deleted) or a broken source (kept, resumed) are tried again, as the engine does.
          let resumedFrom = 0;
          for (let attempt = 1; ; attempt++) {
            try {
              if (attempt === 1) ({ resumedFrom } = await download());
              else await download();
              break;
            } catch (err) {
              const retriable =
                err instanceof HubferryError && ["INTEGRITY", "NETWORK", "SERVER"].includes(err.code);
              if (!retriable || signal.aborted || attempt >= FILE_ATTEMPTS) throw err;
              // Wrong bytes were deleted, a broken read kept what arrived: progress starts from what is there.
              const kept = (await stat(partial).catch(() => undefined))?.size ?? 0;
              meter.start(f.path, f.size, Math.min(kept, f.size));
              events({
                event: "retry",
                what: `file ${f.path}`,
                attempt,
                waitMs: 0,
                reason: (err as Error).message,
              });
            }
          }
          await target.finalize(f, partial);
          meter.complete(f.path);
          events({
            event: "file_done",
            path: f.path,
            size: f.size,
            sha256: f.sha256 ?? "",
            method: "single",
            ...(resumedFrom ? { resumedFrom } : {}),
          });
        }),
      ),
    );
    const failed = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => r.reason);
    if (failed.length) {
      const unsafe = failed.find((e) => e instanceof HubferryError && e.code === "UNSAFE");
      throw unsafe ?? failed[0];
    }
    const path = await target.done(opts.revision ?? source.info.revision, sel.fetch);
    const seconds = (Date.now() - t0) / 1000;
    events({
      event: "summary",
      files: todo.length,
      bytes: downloaded,
      stored: 0,
      storedBytes: 0,
      skipped: present,
      deleted: 0,
      seconds,
      bytesPerSecond: seconds > 0 ? Math.round(downloaded / seconds) : 0,
      destinationUrl: path,
      commits: [source.revision],
    });
    return { path, commit: source.revision, fetched: todo.length, bytes, present };
  } finally {
    await lock?.release();
  }
}
