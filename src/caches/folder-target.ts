import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { hashFile } from "../transfer/hashing.js";
import type { SourceFile } from "../transfer/types.js";
import { insideDir } from "./inside-dir.js";
import type { PullTarget } from "./pull-target.js";

const PARTIAL_DIR = ".hubferry-partial";

/** `--output DIR`: a plain folder. Partials wait under `DIR/.hubferry-partial/` until verified. */
export function folderTarget(dir: string): PullTarget {
  const root = resolve(dir);
  const inside = (path: string) => insideDir(root, path);
  return {
    label: root,
    root,
    snapshotDir: root,
    lockDir: join(root, PARTIAL_DIR),
    async has(f: SourceFile) {
      const full = inside(f.path);
      const s = await stat(full).catch(() => undefined);
      if (!s?.isFile() || s.size !== f.size) return false;
      // The one hash the hub published: sha256, else the git blob id.
      if (f.sha256) return (await hashFile(full, "sha256")) === f.sha256;
      return !!f.gitOid && (await hashFile(full, "git")) === f.gitOid;
    },
    partialPath: (f) => join(root, PARTIAL_DIR, `${(f.sha256 ?? f.gitOid ?? "x").slice(0, 64)}.incomplete`),
    async finalize(f, partial) {
      const target = inside(f.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(partial, target);
    },
    async done() {
      await rm(join(root, PARTIAL_DIR), { recursive: true, force: true }).catch(() => {});
      return root;
    },
  };
}
