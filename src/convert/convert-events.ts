import type { EventSink } from "../transfer/events.js";

/**
 * The events every conversion ends with, the same the other commands emit: the output's
 * file_done with the sha256 hashed as it was written, then the summary.
 */
export function emitConverted(
  events: EventSink,
  done: { path: string; output: string; bytes: number; sha256: string; files: number; started: number },
): void {
  events({ event: "file_done", path: done.path, size: done.bytes, sha256: done.sha256, method: "single" });
  const seconds = (Date.now() - done.started) / 1000;
  events({
    event: "summary",
    files: done.files,
    bytes: done.bytes,
    stored: 0,
    storedBytes: 0,
    skipped: 0,
    deleted: 0,
    seconds,
    bytesPerSecond: seconds > 0 ? done.bytes / seconds : 0,
    destinationUrl: done.output,
    commits: [],
  });
}
