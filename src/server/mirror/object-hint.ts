import type { HubState } from "../hub-state.js";
import type { FileEntry } from "../store/file-tree.js";
import type { RepoMeta } from "../store/repo-store.js";

/**
 * What a signed object URL must add for a mirrored file whose bytes are not stored yet: the repo
 * and path to fetch them from upstream by (the commit is in the URL already). Empty otherwise.
 */
export async function objectHint(
  hub: HubState,
  meta: RepoMeta,
  file: FileEntry,
  path: string,
): Promise<Record<string, string>> {
  if (!meta.extra.mirror || (await hub.blobs.stat(file.sha256))) return {};
  return { repo: meta.objectId, path };
}
