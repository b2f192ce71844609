import { HubferryError } from "../../core/errors.js";
import { formatRef, type RepoRef } from "../../core/repo-ref.js";
import type { CopySource, Hub, RepoDetails, SearchHit, SearchQuery, WhoAmI } from "../../hubs/hub.js";
import type { TransferDestination, TransferSource } from "../../transfer/types.js";
import { isCommitHash } from "../hf-cache-layout.js";
import { type CacheUse, noteHit } from "./cache-use.js";
import { DetailsSchema, HitsSchema, RefSchema, TypeSchema } from "./cached-schemas.js";
import { cachedSource } from "./cached-source.js";
import { commitFolder, refEntry, repoFolder, searchEntry, typeEntry } from "./entry-paths.js";
import type { EntryStore } from "./entry-store.js";

export interface MetadataPolicy {
  /** How old a branch or tag's resolution to a commit (and a repo's type) may be; 0 asks every time. */
  maxAgeMs: number;
  /** How old a search's answer may be. */
  searchMaxAgeMs: number;
  /** Answer from the cache alone, whatever its age; what it lacks is an error, never a request. */
  offline: boolean;
  /** Keep small ranged reads at a commit (weight headers, first bytes), so info and tree work offline. */
  cacheReads: boolean;
  now?: () => number;
}

/**
 * A hub with a metadata cache in front, as rclone's cache backend wraps an `Fs`. What is pinned to
 * a commit (repo info, the listing, small reads) never changes and is kept for good; which commit a
 * branch or tag is at, a repo's type and a search's answer are kept for a TTL. Every view is built
 * from one commit's entries, so it never mixes two commits. Writes pass through untouched (the faces
 * that write invalidate what they changed); offline, they are refused.
 */
export class CachedHub implements Hub {
  readonly name: Hub["name"];
  readonly endpoint: string;

  constructor(
    private readonly inner: Hub,
    private readonly store: EntryStore,
    private readonly policy: MetadataPolicy,
    readonly use: CacheUse,
  ) {
    this.name = inner.name;
    this.endpoint = inner.endpoint;
  }

  private now(): number {
    return this.policy.now?.() ?? Date.now();
  }

  private fresh(fetchedAt: number, maxAgeMs: number): boolean {
    return this.policy.offline || this.now() - fetchedAt <= maxAgeMs;
  }

  /** A request the cache could not spare: counted as a miss, refused offline. */
  private online(what: string): void {
    this.refuseOffline(what);
    this.use.misses++;
  }

  private refuseOffline(what: string, where = "is not in the metadata cache"): void {
    if (this.policy.offline)
      throw new HubferryError(
        "FILE_NOT_FOUND",
        `offline, and ${what} ${where}`,
        "drop --offline (and unset HF_HUB_OFFLINE) to ask the hub, or run the command once while connected",
      );
  }

  whoami(): Promise<WhoAmI> {
    this.online("who this token belongs to");
    return this.inner.whoami();
  }

  async repoInfo(ref: RepoRef, revision?: string): Promise<RepoDetails> {
    const repo = repoFolder(this.name, ref);
    if (revision && isCommitHash(revision)) {
      const kept = await this.store.get(`${commitFolder(repo, revision)}/info.json`, DetailsSchema);
      if (kept) {
        noteHit(this.use, kept.fetchedAt);
        return { ...(kept.value as RepoDetails), sha: revision, revision };
      }
    } else {
      const pinned = await this.store.get(refEntry(repo, revision), RefSchema);
      if (pinned && this.fresh(pinned.fetchedAt, this.policy.maxAgeMs)) {
        const kept = await this.store.get(`${commitFolder(repo, pinned.value.sha)}/info.json`, DetailsSchema);
        if (kept) {
          noteHit(this.use, pinned.fetchedAt);
          return { ...(kept.value as RepoDetails), sha: pinned.value.sha, revision: pinned.value.revision };
        }
      }
    }
    this.online(`${formatRef(ref)} at ${revision ?? "its default branch"}`);
    const details = await this.inner.repoInfo(ref, revision);
    // A hub that answers with a branch name rather than a commit (ModelScope may) pins nothing.
    if (isCommitHash(details.sha)) {
      const at = this.now();
      await this.store.put(`${commitFolder(repo, details.sha)}/info.json`, details, at);
      if (!revision || !isCommitHash(revision))
        await this.store.put(refEntry(repo, revision), { sha: details.sha, revision: details.revision }, at);
    }
    return details;
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const key = searchEntry(query);
    const kept = await this.store.get(key, HitsSchema);
    if (kept && this.fresh(kept.fetchedAt, this.policy.searchMaxAgeMs)) {
      noteHit(this.use, kept.fetchedAt);
      return kept.value as SearchHit[];
    }
    this.online("this search");
    const hits = await this.inner.search(query);
    await this.store.put(key, hits, this.now());
    return hits;
  }

  listRepos(owner: string, type: RepoRef["type"]): Promise<string[]> {
    this.online(`the ${type}s of ${owner}`);
    return this.inner.listRepos(owner, type);
  }

  async detectType(ref: RepoRef): Promise<RepoRef["type"]> {
    const key = typeEntry(this.name, ref.id);
    const kept = await this.store.get(key, TypeSchema);
    if (kept && this.fresh(kept.fetchedAt, this.policy.maxAgeMs)) {
      noteHit(this.use, kept.fetchedAt);
      return kept.value;
    }
    this.online(`the kind of repo ${ref.id} is`);
    const type = await this.inner.detectType(ref);
    await this.store.put(key, type, this.now());
    return type;
  }

  async source(ref: RepoRef, revision?: string): Promise<TransferSource & { info: RepoDetails }> {
    return this.sourceFromInfo(ref, await this.repoInfo(ref, revision));
  }

  sourceFromInfo(ref: RepoRef, info: RepoDetails): TransferSource & { info: RepoDetails } {
    if (!isCommitHash(info.sha)) {
      // Nothing to pin a cached listing to: the hub's own source, uncached.
      this.use.misses++;
      return this.inner.sourceFromInfo(ref, info);
    }
    return cachedSource({
      info,
      label: `${formatRef(ref)}@${info.sha.slice(0, 8)}`,
      folder: commitFolder(repoFolder(this.name, ref), info.sha),
      store: this.store,
      use: this.use,
      cacheReads: this.policy.cacheReads,
      open: () => this.inner.sourceFromInfo(ref, info),
      ask: (what) =>
        this.refuseOffline(
          `${what} of ${formatRef(ref)} at ${info.sha.slice(0, 12)}`,
          "is in no local cache (a file not pulled yet, or a header never read)",
        ),
    });
  }

  createRepo(ref: RepoRef, opts: Parameters<Hub["createRepo"]>[1]): Promise<{ created: boolean }> {
    this.online(`creating ${formatRef(ref)}`);
    return this.inner.createRepo(ref, opts);
  }

  checkWritable(ref: RepoRef): Promise<void> {
    this.online(`write access to ${formatRef(ref)}`);
    return this.inner.checkWritable(ref);
  }

  destination(ref: RepoRef, opts?: { copyFrom?: CopySource }): TransferDestination {
    this.online(`writing to ${formatRef(ref)}`);
    return this.inner.destination(ref, opts);
  }

  webUrl(ref: RepoRef): string {
    return this.inner.webUrl(ref);
  }
}
