import { randomBytes } from "node:crypto";
import { mkdir, readFile, readlink, rename, stat, symlink } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { atomicWriteFile } from "../core/atomic-write.js";
import type { RepoRef } from "../core/repo-ref.js";
import type { SourceFile } from "../transfer/types.js";
import { hfEtag, hfRepoFolderName, isCommitHash } from "./hf-cache-layout.js";
import { insideDir } from "./inside-dir.js";
import type { PullTarget } from "./pull-target.js";

/** Marks the folder as a cache for backup tools (https://bford.info/cachedir/), as huggingface_hub does. */
const CACHEDIR_TAG =
  "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by huggingface_hub.\n# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n";

/** A pull into the Hugging Face cache: blobs by etag, snapshot symlinks, the ref of the revision. */
export function hfCacheTarget(cacheDir: string, ref: RepoRef, commit: string): PullTarget {
  const repoDir = join(cacheDir, hfRepoFolderName(ref.type, ref.id));
  const snapshot = join(repoDir, "snapshots", commit);
  const blob = (f: SourceFile) => join(repoDir, "blobs", hfEtag(f));
  /** `snapshots/<commit>/<path>` → its blob, as a relative symlink swapped in atomically. */
  const link = async (f: SourceFile) => {
    const path = insideDir(snapshot, f.path);
    const rel = relative(dirname(path), blob(f));
    if ((await readlink(path).catch(() => undefined)) === rel) return;
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
    await symlink(rel, tmp);
    await rename(tmp, path);
  };
  return {
    label: `hf cache ${repoDir}`,
    root: repoDir,
    lockDir: join(cacheDir, ".locks", hfRepoFolderName(ref.type, ref.id)),
    snapshotDir: snapshot,
    async has(f) {
      const s = await stat(insideDir(snapshot, f.path)).catch(() => undefined);
      return !!s?.isFile() && s.size === f.size;
    },
    partialPath: (f) => `${blob(f)}.incomplete`,
    async finalize(f, partial) {
      await mkdir(dirname(blob(f)), { recursive: true });
      await rename(partial, blob(f));
      await link(f);
    },
    async reuse(f) {
      // The bytes may already be cached under another snapshot (same etag): link, don't download.
      const s = await stat(blob(f)).catch(() => undefined);
      if (!s || s.size !== f.size) return false;
      await link(f);
      return true;
    },
    async done(revision) {
      const tag = join(cacheDir, "CACHEDIR.TAG");
      if (!(await stat(tag).catch(() => undefined))) await atomicWriteFile(tag, CACHEDIR_TAG);
      if (!isCommitHash(revision) || revision !== commit) {
        const refFile = join(repoDir, "refs", revision);
        const current = await readFile(refFile, "utf8").catch(() => undefined);
        if (current !== commit) await atomicWriteFile(refFile, commit);
      }
      return snapshot;
    },
  };
}
