import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** A partial written to this recently belongs to a download that may still be running. */
const FRESH_PARTIAL_MS = 10 * 60 * 1000;

export interface Totals {
  bytes: number;
  files: number;
  lastAccessed: number;
  lastModified: number;
  partials: number;
  freshPartial: boolean;
}

/** Sizes and access times of the regular files below a folder (symlinks are not counted twice). */
export async function folderTotals(dir: string): Promise<Totals> {
  const t: Totals = {
    bytes: 0,
    files: 0,
    lastAccessed: 0,
    lastModified: 0,
    partials: 0,
    freshPartial: false,
  };
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) {
        const s = await stat(full);
        t.bytes += s.size;
        t.files++;
        t.lastAccessed = Math.max(t.lastAccessed, s.atimeMs, s.mtimeMs);
        t.lastModified = Math.max(t.lastModified, s.mtimeMs);
        if (e.name.endsWith(".incomplete")) {
          t.partials++;
          if (Date.now() - s.mtimeMs < FRESH_PARTIAL_MS) t.freshPartial = true;
        }
      }
    }
  };
  await walk(dir);
  return t;
}
