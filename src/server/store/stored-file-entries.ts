import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FileEntry, FileMap } from "./file-tree.js";

/**
 * Every file entry of every commit file in `commitsDir`, read from disk. A commit kept as changes
 * lists only what it set (its base is read in its own turn); an unreadable commit yields nothing.
 * For whole-repo scans (indexing, pruning), which are rare.
 */
export async function* storedFileEntries(commitsDir: string): AsyncGenerator<FileEntry> {
  for (const name of await readdir(commitsDir).catch(() => [] as string[])) {
    if (!name.endsWith(".json")) continue;
    let c: { files?: FileMap; changes?: { set?: FileMap } };
    try {
      c = JSON.parse(await readFile(join(commitsDir, name), "utf8"));
    } catch {
      continue;
    }
    yield* Object.values({ ...c.files, ...c.changes?.set });
  }
}
