import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { RepoRef } from "../core/repo-ref.js";
import { pickle } from "../formats/pickle-writer.js";
import type { SourceFile } from "../transfer/types.js";
import { writeAtomic } from "./hf-cache-target.js";
import { insideDir } from "./inside-dir.js";
import { msEscapedName, msHubCache, msLockDir, msPartialDir, msRepoDir } from "./ms-cache-layout.js";
import type { PullTarget } from "./pull-target.js";

export { msHubCache };

/** The SDK's own bookkeeping files in a repo folder, never listed as repo files. */
const META = new Set([".msc", ".mdl", ".mv"]);

async function sha256Of(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex");
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(relative(dir, full).split(sep).join("/"));
    }
  };
  await walk(dir);
  return out.filter((p) => !META.has(p)).sort();
}

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
      return !f.sha256 || (await sha256Of(full)) === f.sha256;
    },
    partialPath: (f) => join(partials, `${f.sha256 ?? f.gitOid ?? "x"}.incomplete`),
    async finalize(f, partial) {
      const target = inside(f.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(partial, target);
    },
    async done(_revision, fetched) {
      const rev = new Map(fetched.map((f) => [f.path, f.lastCommit ?? commit]));
      const entries = (await filesUnder(repoDir)).map((p) => ({ Path: p, Revision: rev.get(p) ?? commit }));
      await writeAtomic(join(repoDir, ".msc"), pickle(entries));
      const [owner, name] = ref.id.split("/") as [string, string];
      await writeAtomic(join(repoDir, ".mdl"), pickle({ id: `${owner}/${msEscapedName(name)}` }));
      return repoDir;
    },
  };
}
