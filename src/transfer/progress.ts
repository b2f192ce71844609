import type { EventSink } from "./events.js";

/** At least this often while bytes move... */
const EVERY_MS = 1000;
/** ...or every this share of the file, whichever comes first... */
const EVERY_SHARE = 0.01;
/** ...but never more often than this (a small file's 1% passes in no time). */
const FLOOR_MS = 100;

interface FileProgress {
  size: number;
  bytes: number;
  lastBytes: number;
  lastAt: number;
}

/**
 * Turns byte counts into `file_progress` events, throttled: one a second while a file moves, or
 * sooner at each 1% of it, and one when it is complete. Counts may go down (a retried request
 * starts over); they are kept within 0..size.
 */
export class ProgressMeter {
  private readonly files = new Map<string, FileProgress>();

  constructor(
    private readonly events: EventSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** A file starts (again): from `bytes` already in place (a resumed download). */
  start(path: string, size: number, bytes = 0): void {
    this.files.set(path, { size, bytes, lastBytes: bytes, lastAt: this.now() });
    if (bytes > 0) this.events({ event: "file_progress", path, bytes, size });
  }

  bytes(path: string): number {
    return this.files.get(path)?.bytes ?? 0;
  }

  add(path: string, n: number): void {
    const p = this.files.get(path);
    if (!p) return;
    p.bytes = Math.max(0, Math.min(p.size, p.bytes + n));
    const now = this.now();
    const since = now - p.lastAt;
    const complete = p.bytes === p.size && p.lastBytes !== p.size;
    const share = p.size > 0 && Math.abs(p.bytes - p.lastBytes) >= p.size * EVERY_SHARE;
    if (complete || (p.bytes !== p.lastBytes && (since >= EVERY_MS || (share && since >= FLOOR_MS)))) {
      p.lastBytes = p.bytes;
      p.lastAt = now;
      this.events({ event: "file_progress", path, bytes: p.bytes, size: p.size });
    }
  }

  /** Whatever is left of the file counts as sent (a body whose bytes could not be followed). */
  complete(path: string): void {
    const p = this.files.get(path);
    if (p) this.add(path, p.size - p.bytes);
  }
}
