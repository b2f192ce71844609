import type { FileEntry, FileMap } from "./file-tree.js";

/**
 * How a commit is kept on disk: whole (its full file map), or as the changes from its first
 * parent. A repo of 100,000 files committed in batches of 100 would otherwise write its whole
 * file map a thousand times (gigabytes, growing with the square of the work). A chain of changes
 * is cut by a whole commit every SNAPSHOT_EVERY commits, so loading one reads at most that many.
 */
export const SNAPSHOT_EVERY = 32;

export interface CommitChanges {
  /** The first parent, whose files these changes apply to. */
  base: string;
  /** Commits since the last whole one (1 for a whole commit's child). */
  depth: number;
  set: Record<string, FileEntry>;
  removed: string[];
}

/** The changes from `parent` to `files`, or undefined where the commit should be kept whole. */
export function changesFrom(
  parent: { id: string; files: FileMap } | undefined,
  parentDepth: number | undefined,
  files: FileMap,
): CommitChanges | undefined {
  if (!parent || parentDepth === undefined || parentDepth + 1 >= SNAPSHOT_EVERY) return undefined;
  const set: Record<string, FileEntry> = {};
  const removed: string[] = [];
  let count = 0;
  for (const [path, e] of Object.entries(files)) {
    const before = parent.files[path];
    if (!before || before.gitOid !== e.gitOid || before.sha256 !== e.sha256 || before.size !== e.size) {
      set[path] = e;
      count++;
    }
  }
  for (const path of Object.keys(parent.files))
    if (!(path in files)) {
      removed.push(path);
      count++;
    }
  // A commit that changes most of the repo is cheaper kept whole.
  if (count > Object.keys(files).length / 2) return undefined;
  return { base: parent.id, depth: parentDepth + 1, set, removed };
}

/** The files of a commit kept as changes, from its base's files. */
export function applyChanges(base: FileMap, changes: CommitChanges): FileMap {
  const files: FileMap = { ...base, ...changes.set };
  for (const path of changes.removed) delete files[path];
  return files;
}
