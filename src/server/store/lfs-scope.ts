import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isSha256 } from "./blob-store.js";
import type { RepoKey } from "./repo-store.js";
import { storedFileEntries } from "./stored-file-entries.js";

/**
 * Which LFS objects each repo may reference. The blob store is shared (bytes are stored once),
 * but a repo may only commit or skip uploading an object that was uploaded for it or is in its
 * history, as on the real hubs: knowing a hash and a size must not give access to the bytes.
 *
 * One empty marker file per object under `<repo>/lfs/`, so a grant is a single atomic create and
 * survives restarts; a repo written before scoping existed is indexed once from its commits.
 */
export class LfsScopes {
  private readonly cache = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly repoDir: (k: RepoKey) => string,
    private readonly keyOf: (k: RepoKey) => string,
  ) {}

  private load(k: RepoKey): Promise<Set<string>> {
    const key = this.keyOf(k);
    let set = this.cache.get(key);
    if (!set) {
      set = this.read(k);
      this.cache.set(key, set);
      set.catch(() => this.cache.delete(key));
    }
    return set;
  }

  private async read(k: RepoKey): Promise<Set<string>> {
    const dir = join(this.repoDir(k), "lfs");
    try {
      return new Set((await readdir(dir)).filter(isSha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    return this.backfill(k, dir);
  }

  /** A store from before scoping: every LFS object in the repo's commits belongs to it. */
  private async backfill(k: RepoKey, dir: string): Promise<Set<string>> {
    const found = new Set<string>();
    for await (const f of storedFileEntries(join(this.repoDir(k), "commits")))
      if (f.lfs && isSha256(f.sha256)) found.add(f.sha256);
    // Built aside and renamed into place, so an interrupted index is redone rather than trusted.
    const tmp = `${dir}.indexing`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const sha of found) await writeFile(join(tmp, sha), "");
    await rename(tmp, dir);
    return found;
  }

  /** Every LFS object the repo holds. */
  async all(k: RepoKey): Promise<ReadonlySet<string>> {
    return this.load(k);
  }

  async has(k: RepoKey, sha256: string): Promise<boolean> {
    return (await this.load(k)).has(sha256);
  }

  /** Records that `key` holds `sha256` (after an upload for it, or a commit that contains it). */
  async grant(k: RepoKey, sha256s: Iterable<string>): Promise<void> {
    const set = await this.load(k);
    const fresh = [...new Set(sha256s)].filter((s) => isSha256(s) && !set.has(s));
    if (fresh.length === 0) return;
    const dir = join(this.repoDir(k), "lfs");
    await mkdir(dir, { recursive: true });
    for (const sha of fresh) {
      await writeFile(join(dir, sha), "");
      set.add(sha);
    }
  }

  /** The repo is gone (deleted): a new repo of the same name starts with nothing. */
  forget(k: RepoKey): void {
    this.cache.delete(this.keyOf(k));
  }
}
