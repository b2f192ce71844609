import type { SourceFile } from "./types.js";

/** One worker's share of a plan: its files, largest first, and their bytes. */
export interface Share {
  /** 1-based, as the user sees it. */
  worker: number;
  files: SourceFile[];
  bytes: number;
}

/**
 * Deals files to `workers` workers, balancing bytes: largest first, each to the worker with the
 * fewest bytes so far (the lowest number on a tie). Greedy longest-first is within 4/3 of the best
 * split, and a repo's time is set by its biggest share, so the big files are placed first.
 * Workers that would get nothing are left out: fewer files than workers means fewer workers.
 */
export function dealFiles(files: SourceFile[], workers: number): Share[] {
  const n = Math.max(1, Math.min(Math.floor(workers), files.length));
  const shares: Share[] = Array.from({ length: n }, (_, i) => ({ worker: i + 1, files: [], bytes: 0 }));
  const bySize = [...files].sort((a, b) => b.size - a.size || a.path.localeCompare(b.path));
  for (const file of bySize) {
    let least = shares[0]!;
    for (const s of shares) if (s.bytes < least.bytes) least = s;
    least.files.push(file);
    least.bytes += file.size;
  }
  return files.length ? shares : [];
}
