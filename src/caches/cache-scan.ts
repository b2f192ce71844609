import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HubName } from "../core/repo-ref.js";
import type { RepoType } from "../core/repo-type.js";
import { folderTotals } from "./folder-totals.js";
import { hfRepoFolderName, parseHfRepoFolderName } from "./hf-cache-layout.js";
import { msCacheRepos } from "./ms-cache-layout.js";
import { pullLockHeld } from "./pull-lock.js";

export interface CachedRepo {
  hub: HubName;
  type: RepoType;
  id: string;
  /** The folder that is deleted as one unit. */
  path: string;
  /** Where this repo's pull locks live. */
  lockDir: string;
  /** hubferry's own leftovers for this repo (partials, locks), removed with it. */
  alsoRemove: string[];
  bytes: number;
  files: number;
  /** ms since epoch: the most recent access (atime) of any of its files. */
  lastAccessed: number;
  lastModified: number;
  /** HF: refs → commit; ModelScope: the revision the cache records. */
  refs: Record<string, string>;
  /** Partial downloads present (`.incomplete`). */
  partials: number;
  /** A running pull holds it, or a partial was written to in the last minutes. */
  busy: boolean;
}

async function hfRepos(cacheDir: string): Promise<CachedRepo[]> {
  const out: CachedRepo[] = [];
  for (const name of (await readdir(cacheDir).catch(() => [] as string[])).sort()) {
    const parsed = parseHfRepoFolderName(name);
    if (!parsed) continue;
    const path = join(cacheDir, name);
    const t = await folderTotals(join(path, "blobs"));
    const refs: Record<string, string> = {};
    const refsDir = join(path, "refs");
    const walkRefs = async (d: string, prefix: string) => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walkRefs(join(d, e.name), `${prefix}${e.name}/`);
        else refs[`${prefix}${e.name}`] = (await readFile(join(d, e.name), "utf8")).trim();
      }
    };
    await walkRefs(refsDir, "");
    const snapshots = await readdir(join(path, "snapshots")).catch(() => [] as string[]);
    for (const s of snapshots) if (!Object.values(refs).includes(s)) refs[s.slice(0, 12)] = s;
    const lockDir = join(cacheDir, ".locks", hfRepoFolderName(parsed.type, parsed.id));
    out.push({
      hub: "hf",
      ...parsed,
      path,
      lockDir,
      alsoRemove: [lockDir],
      bytes: t.bytes,
      files: t.files - t.partials,
      lastAccessed: t.lastAccessed,
      lastModified: t.lastModified,
      refs,
      partials: t.partials,
      busy: t.freshPartial || (await pullLockHeld(lockDir)),
    });
  }
  return out;
}

/** Every repo in the Hugging Face and ModelScope caches. */
export async function scanCaches(dirs: { hf?: string; ms?: string }): Promise<CachedRepo[]> {
  return [...(dirs.hf ? await hfRepos(dirs.hf) : []), ...(dirs.ms ? await msCacheRepos(dirs.ms) : [])];
}
