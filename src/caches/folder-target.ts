import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { SourceFile } from "../transfer/types.js";
import { insideDir } from "./inside-dir.js";
import type { PullTarget } from "./pull-target.js";

const PARTIAL_DIR = ".hubferry-partial";

/** The one hash the hub published for a file (sha256, else the git blob id) of a local file. */
async function sameHash(path: string, size: number, f: SourceFile): Promise<boolean> {
  if (!f.sha256 && !f.gitOid) return false;
  const h = f.sha256 ? createHash("sha256") : createHash("sha1").update(`blob ${size}\0`);
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex") === (f.sha256 ?? f.gitOid);
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
      return sameHash(full, s.size, f);
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
