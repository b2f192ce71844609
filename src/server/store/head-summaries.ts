import pLimit from "p-limit";
import { type Commit, type RepoMeta, type RepoStore, repoKeyString } from "./repo-store.js";
import { WeighedCache } from "./weighed-cache.js";

/** What a listing knows of one repo: its metadata and a summary of its head commit. */
export interface Summarised<S> {
  meta: RepoMeta;
  head: string;
  summary: S;
}

/** Repos whose summary is missing are read this many at a time (disk reads, not CPU). */
const BUILD_CONCURRENCY = 16;

/**
 * A summary of each repo's head commit (what search filters and sorts on), kept in memory while
 * the head stays the same. Search used to load every matching repo's commit and parse its README
 * on every request: at 100,000 repos that is 100,000 file reads per query and again per page.
 * Entries are keyed by repo and checked against the repo's current head on every use, so a push
 * is seen by the next search with no invalidation to forget; a rename or delete leaves an entry
 * that is never asked for again and ages out of the bounded cache.
 */
export class HeadSummaries<S> {
  private readonly cache: WeighedCache<{ head: string; summary: S }>;

  constructor(
    private readonly repos: RepoStore,
    private readonly build: (meta: RepoMeta, commit: Commit) => Promise<S>,
    maxEntries = 250_000,
  ) {
    this.cache = new WeighedCache(maxEntries, maxEntries, () => 1);
  }

  /**
   * Summaries of these repos, in their order. A repo whose head commit cannot be read (a store
   * damaged by hand, a repo deleted meanwhile) is left out rather than failing everyone's listing.
   */
  async of(metas: readonly RepoMeta[], concurrency = BUILD_CONCURRENCY): Promise<Summarised<S>[]> {
    const out: (Summarised<S> | undefined)[] = new Array(metas.length);
    const missing: number[] = [];
    metas.forEach((meta, i) => {
      const head = meta.branches[meta.defaultBranch];
      const hit = head ? this.cache.get(repoKeyString(meta)) : undefined;
      if (head && hit?.head === head) out[i] = { meta, head, summary: hit.summary };
      else missing.push(i);
    });
    const limit = pLimit(concurrency);
    await Promise.all(
      missing.map((i) =>
        limit(async () => {
          out[i] = await this.summarise(metas[i]!);
        }),
      ),
    );
    return out.filter((s): s is Summarised<S> => s !== undefined);
  }

  private async summarise(meta: RepoMeta): Promise<Summarised<S> | undefined> {
    const head = meta.branches[meta.defaultBranch];
    if (!head) return undefined;
    const commit = await this.repos.loadCommit(meta, head);
    if (!commit) return undefined;
    let summary: S;
    try {
      summary = await this.build(meta, commit);
    } catch {
      return undefined; // e.g. its README blob is gone: the repo is damaged, not the listing
    }
    this.cache.set(repoKeyString(meta), { head, summary });
    return { meta, head, summary };
  }
}
