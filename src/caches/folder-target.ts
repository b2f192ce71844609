import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { SourceFile } from "../transfer/types.js";
import { insideDir } from "./inside-dir.js";
import type { PullTarget } from "./pull-target.js";

const PARTIAL_DIR = ".hubferry-partial";

async function hashes(path: string): Promise<{ sha256: string; gitOid: string; size: number }> {
  const s = await stat(path);
  const sha = createHash("sha256");
  const git = createHash("sha1").update(`blob ${s.size}\0`);
  for await (const c of createReadStream(path)) {
    sha.update(c as Buffer);
    git.update(c as Buffer);
  }
  return { sha256: sha.digest("hex"), gitOid: git.digest("hex"), size: s.size };
}

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
      const h = await hashes(full);
      return f.sha256 ? h.sha256 === f.sha256 : f.gitOid ? h.gitOid === f.gitOid : false;
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
