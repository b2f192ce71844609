import { mkdir, rename, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { atomicWriteFile } from "../core/atomic-write.js";
import type { RepoRef } from "../core/repo-ref.js";
import { pickle } from "../formats/pickle-writer.js";
import { hashFile } from "../transfer/hashing.js";
import type { SourceFile } from "../transfer/types.js";
import { filesUnder } from "./files-under.js";
import { insideDir } from "./inside-dir.js";
import { msEscapedName, msHubCache, msLockDir, msPartialDir, msRepoDir } from "./ms-cache-layout.js";
import type { PullTarget } from "./pull-target.js";

export { msHubCache };

/** The SDK's own bookkeeping files in a repo folder, never listed as repo files. */
const META = new Set([".msc", ".mdl", ".mv"]);

/**
 * A pull into the ModelScope cache: files at their paths in the repo folder, then the `.msc`
 * index (`[{Path, Revision}]`) and `.mdl` (`{id}`) pickles both SDK generations read, written
 * last and atomically. Partials wait outside the repo folder, so an interrupted pull never looks
 * like a cached repo.
 */
export function msCacheTarget(root: string, ref: RepoRef, commit: string): PullTarget {
  const repoDir = resolve(msRepoDir(root, ref.type, ref.id));
  const partials = msPartialDir(root, ref.type, ref.id);
  const inside = (path: string) => insideDir(repoDir, path);
  return {
    label: `ms cache ${repoDir}`,
    root: repoDir,
    snapshotDir: repoDir,
    lockDir: msLockDir(root, ref.type, ref.id),
    async has(f: SourceFile) {
      const full = inside(f.path);
      const s = await stat(full).catch(() => undefined);
      if (!s?.isFile() || s.size !== f.size) return false;
      return !f.sha256 || (await hashFile(full, "sha256")) === f.sha256;
    },
    partialPath: (f) => join(partials, `${f.sha256 ?? f.gitOid ?? "x"}.incomplete`),
    async finalize(f, partial) {
      const target = inside(f.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(partial, target);
    },
    async done(_revision, fetched) {
      const rev = new Map(fetched.map((f) => [f.path, f.lastCommit ?? commit]));
      const entries = (await filesUnder(repoDir))
        .filter((p) => !META.has(p))
        .map((p) => ({ Path: p, Revision: rev.get(p) ?? commit }));
      await atomicWriteFile(join(repoDir, ".msc"), pickle(entries));
      const [owner, name] = ref.id.split("/") as [string, string];
      await atomicWriteFile(join(repoDir, ".mdl"), pickle({ id: `${owner}/${msEscapedName(name)}` }));
      return repoDir;
    },
  };
}
