/**
 * What the metadata cache did for one command: how many answers it gave and how many it had to ask
 * the hub for, and when the oldest answer it gave was fetched (so a command can say how old what
 * it shows may be).
 */
export interface CacheUse {
  hits: number;
  misses: number;
  oldestFetchedAt?: number;
}

export function newCacheUse(): CacheUse {
  return { hits: 0, misses: 0 };
}

/**
 * One answer from the cache. `fetchedAt` is given for what can go stale (which commit a branch is
 * at, a search, the counters in repo info); what is pinned to a commit (a listing, bytes) cannot.
 */
export function noteHit(use: CacheUse, fetchedAt?: number): void {
  use.hits++;
  if (fetchedAt !== undefined) use.oldestFetchedAt = Math.min(use.oldestFetchedAt ?? fetchedAt, fetchedAt);
}

/** For `--json`: whether the answer came from the cache (every part of it), and from when. */
export function cacheJson(use: CacheUse): { hit: boolean; fetchedAt?: string } {
  return {
    hit: use.hits > 0 && use.misses === 0,
    ...(use.oldestFetchedAt !== undefined ? { fetchedAt: new Date(use.oldestFetchedAt).toISOString() } : {}),
  };
}

/** `from the cache, fetched 3 minutes ago` (or undefined when the hub was asked for everything). */
export function cacheNote(use: CacheUse, now = Date.now()): string | undefined {
  if (use.oldestFetchedAt === undefined) return undefined;
  const s = Math.max(0, Math.round((now - use.oldestFetchedAt) / 1000));
  const age =
    s < 60
      ? `${s} s`
      : s < 3600
        ? `${Math.round(s / 60)} min`
        : s < 86400 * 2
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86400)} days`;
  const part = use.misses > 0 ? "partly from the metadata cache" : "from the metadata cache";
  return `${part}, fetched ${age} ago (${new Date(use.oldestFetchedAt).toISOString()}); --max-age 0 asks the hub again`;
}
