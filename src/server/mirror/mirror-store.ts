import type { HubState } from "../hub-state.js";

/** What these functions read of a hub: its store, and its mirror when one runs. */
export type MirrorStore = Pick<HubState, "repos" | "blobs" | "mirror">;

import type { RepoMeta } from "../store/repo-store.js";
import { mirroredFrom } from "./mirrored-from.js";

/** One mirrored repo as its store holds it. */
export interface MirroredRepoUsage {
  face: RepoMeta["face"];
  type: RepoMeta["type"];
  id: string;
  upstream: string;
  /** Branch and tag names pinned to the commit each last named upstream. */
  refs: Record<string, string>;
  /** Bytes of its files' blobs on disk (a blob shared with another repo counts for both). */
  storedBytes: number;
  /** Files whose bytes are not stored (never asked for yet, or pruned): fetched on the next read. */
  missingFiles: number;
  /** When one of its stored files was last served, ISO (undefined: none stored). */
  lastUsed?: string;
}

export interface MirrorUsage {
  repos: MirroredRepoUsage[];
  /** Bytes only mirrored repos reference: what pruning may free. */
  prunableBytes: number;
}

interface Blob {
  sha256: string;
  size: number;
  usedAt: number;
}

/** Blobs of mirrored repos that no local repo references (pruning never touches a local repo's bytes). */
async function prunableBlobs(hub: MirrorStore): Promise<Blob[]> {
  const mirrored = new Set<string>();
  const local = new Set<string>();
  for (const meta of allRepos(hub)) {
    if (mirroredFrom(meta)) {
      for (const sha of await hub.repos.lfs.all(meta)) mirrored.add(sha);
      continue;
    }
    // A local repo's commits, and the objects granted to it for a commit still to come.
    for (const sha of await hub.repos.everyBlob(meta)) local.add(sha);
    for (const sha of await hub.repos.lfs.all(meta)) local.add(sha);
  }
  const out: Blob[] = [];
  for (const sha256 of mirrored) {
    if (local.has(sha256)) continue;
    const u = await hub.blobs.usage(sha256);
    if (u) out.push({ sha256, ...u });
  }
  return out;
}

function allRepos(hub: MirrorStore): RepoMeta[] {
  return (["hf", "ms"] as const).flatMap((face) =>
    (["model", "dataset", "space"] as const).flatMap((type) => hub.repos.all(face, type)),
  );
}

/** Every mirrored repo with what of it is stored, and how much pruning could free. */
export async function mirrorUsage(hub: MirrorStore): Promise<MirrorUsage> {
  const repos: MirroredRepoUsage[] = [];
  for (const meta of allRepos(hub)) {
    const from = mirroredFrom(meta);
    if (!from) continue;
    let storedBytes = 0;
    let missingFiles = 0;
    let lastUsed = 0;
    for (const sha of await hub.repos.lfs.all(meta)) {
      const u = await hub.blobs.usage(sha);
      if (!u) missingFiles++;
      else {
        storedBytes += u.size;
        lastUsed = Math.max(lastUsed, u.usedAt);
      }
    }
    repos.push({
      face: meta.face,
      type: meta.type,
      id: `${meta.namespace}/${meta.name}`,
      upstream: from.endpoint,
      refs: { ...meta.branches, ...meta.tags },
      storedBytes,
      missingFiles,
      ...(lastUsed ? { lastUsed: new Date(lastUsed).toISOString() } : {}),
    });
  }
  const prunableBytes = (await prunableBlobs(hub)).reduce((n, b) => n + b.size, 0);
  return { repos: repos.sort((a, b) => (a.id < b.id ? -1 : 1)), prunableBytes };
}

export interface PruneResult {
  removed: { sha256: string; size: number }[];
  freedBytes: number;
  /** Bytes of mirrored blobs left. */
  keptBytes: number;
}

/**
 * Removes mirrored blobs, least recently used first, until those left take at most `maxBytes`.
 * Only bytes no local repo references go; a pruned file stays listed and is fetched from
 * upstream again on its next download.
 */
export async function pruneMirror(hub: MirrorStore, maxBytes: number, dryRun = false): Promise<PruneResult> {
  const blobs = (await prunableBlobs(hub)).sort((a, b) => a.usedAt - b.usedAt);
  let kept = blobs.reduce((n, b) => n + b.size, 0);
  const removed: PruneResult["removed"] = [];
  for (const b of blobs) {
    if (kept <= maxBytes) break;
    // Never under a download in progress: a fetch of it is the newest use there is.
    if (hub.mirror?.blobs.isFetching(b.sha256)) continue;
    if (!dryRun) await hub.blobs.remove(b.sha256);
    removed.push({ sha256: b.sha256, size: b.size });
    kept -= b.size;
  }
  return { removed, freedBytes: removed.reduce((n, b) => n + b.size, 0), keptBytes: kept };
}
