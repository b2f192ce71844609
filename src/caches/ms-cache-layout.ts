import { readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { RepoType } from "../core/repo-type.js";
import type { CachedRepo } from "./cache-scan.js";
import { folderTotals } from "./folder-totals.js";
import { pullLockHeld } from "./pull-lock.js";

/**
 * The ModelScope cache in the layout both SDK generations read (modelscope 1.37's own, which
 * 1.40 / modelscope-hub reuse): `<root>/{models,datasets}/<owner>/<name>`, dots in the name
 * written `___`, the files at their repo paths, and a pickled `.msc` index of them.
 */
export function msHubCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODELSCOPE_CACHE ?? join(homedir(), ".cache", "modelscope", "hub");
}

const kindDir = (type: RepoType) => (type === "dataset" ? "datasets" : "models");

export function msEscapedName(name: string): string {
  return name.replaceAll(".", "___");
}

export function msRepoDir(root: string, type: RepoType, id: string): string {
  const [owner, name] = id.split("/") as [string, string];
  return join(root, kindDir(type), owner, msEscapedName(name));
}

/** hubferry's own bookkeeping, outside the repo folders the SDKs read. */
export function msPartialDir(root: string, type: RepoType, id: string): string {
  const [owner, name] = id.split("/") as [string, string];
  return join(root, ".hubferry", "partial", kindDir(type), owner, msEscapedName(name));
}

export function msLockDir(root: string, type: RepoType, id: string): string {
  const [owner, name] = id.split("/") as [string, string];
  return join(root, ".hubferry", "locks", kindDir(type), owner, msEscapedName(name));
}

export async function msCacheRepos(root: string): Promise<CachedRepo[]> {
  const out: CachedRepo[] = [];
  for (const type of ["model", "dataset"] as const) {
    const base = join(root, kindDir(type));
    for (const owner of await readdir(base, { withFileTypes: true }).catch(() => [])) {
      if (!owner.isDirectory() || owner.name.startsWith(".")) continue;
      for (const repo of await readdir(join(base, owner.name), { withFileTypes: true }).catch(() => [])) {
        if (!repo.isDirectory() || repo.name.startsWith(".")) continue;
        const id = `${owner.name}/${repo.name.replaceAll("___", ".")}`;
        const path = join(base, owner.name, repo.name);
        const t = await folderTotals(path);
        const partial = await folderTotals(msPartialDir(root, type, id));
        const lockDir = msLockDir(root, type, id);
        out.push({
          hub: "ms",
          type,
          id,
          path,
          lockDir,
          alsoRemove: [lockDir, msPartialDir(root, type, id)],
          bytes: t.bytes + partial.bytes,
          files: t.files,
          lastAccessed: t.lastAccessed,
          lastModified: t.lastModified,
          refs: {},
          partials: partial.partials,
          busy: partial.freshPartial || (await pullLockHeld(lockDir)),
        });
      }
    }
  }
  return out;
}
