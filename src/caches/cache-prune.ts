import { rm } from "node:fs/promises";
import type { CachedRepo } from "./cache-scan.js";

export interface PruneResult {
  removed: CachedRepo[];
  kept: CachedRepo[];
  /** Over the limit but held by a running pull. */
  busy: CachedRepo[];
  bytesBefore: number;
  bytesAfter: number;
}

/** Deletes one cached repo as a unit (its folder and hubferry's partials and locks for it). */
export async function removeCachedRepo(repo: CachedRepo): Promise<void> {
  await rm(repo.path, { recursive: true, force: true });
  for (const extra of repo.alsoRemove) await rm(extra, { recursive: true, force: true });
}

/**
 * What a prune removes, decided before anything is touched: least recently used first, whole repos,
 * only while the caches are still over `maxBytes`, never one a running pull holds. So by
 * construction it removes nothing when the caches already fit, and never more than it must.
 */
export function planPrune(repos: CachedRepo[], maxBytes: number): PruneResult {
  const bytesBefore = repos.reduce((n, r) => n + r.bytes, 0);
  let total = bytesBefore;
  const res: PruneResult = { removed: [], kept: [], busy: [], bytesBefore, bytesAfter: bytesBefore };
  for (const repo of [...repos].sort((a, b) => a.lastAccessed - b.lastAccessed)) {
    if (total <= maxBytes) {
      res.kept.push(repo);
      continue;
    }
    if (repo.busy) {
      res.busy.push(repo);
      res.kept.push(repo);
      continue;
    }
    res.removed.push(repo);
    total -= repo.bytes;
  }
  res.bytesAfter = total;
  return res;
}

/** Carries out a plan from `planPrune`. */
export async function applyPrune(plan: PruneResult): Promise<void> {
  for (const repo of plan.removed) await removeCachedRepo(repo);
}
