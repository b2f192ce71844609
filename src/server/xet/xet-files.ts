import type { HubState } from "../hub-state.js";
import type { FileEntry } from "../store/file-tree.js";
import type { RepoKey, RepoMeta } from "../store/repo-store.js";

/**
 * The Xet file hash the HF face may advertise for a file: only non-empty LFS files, only once their layout
 * is ready (asking queues it), and not for mirrored repos, whose bytes may still be upstream's
 * to fetch (the mirror serves them as plain LFS; Xet through a mirror is a later increment).
 */
export function xetHashOf(hub: HubState, repo: RepoKey, file: FileEntry | undefined): string | undefined {
  // An empty file has no chunks (hash all zeros): plain LFS serves it without a reconstruction.
  if (!file?.lfs || file.size === 0 || hub.repos.get(repo)?.extra.mirror) return undefined;
  return hub.xet.fileHash(file.sha256);
}

/** The token route for a repo (the `xet-auth` link and `X-Xet-Refresh-Route`). */
export function xetAuthPath(meta: RepoMeta, rev: string): string {
  return `/api/${meta.type}s/${meta.namespace}/${meta.name}/xet-read-token/${encodeURIComponent(rev)}`;
}

/** Where the CAS of this hub answers (the token's `casUrl`). */
export function casUrl(baseUrl: string): string {
  return `${baseUrl}/_hubferry/xet`;
}
