import { mayReadMirrored } from "../mirror/mirror-access.js";
import type { RepoMeta } from "../store/repo-store.js";
import { type AuthedUser, canReadPrivate } from "./users.js";

/**
 * Who may read a private repo's files, or a gated one's: members of its namespace, and for a
 * repo the mirror fetched from upstream, the users granted it in the users file.
 */
export function canReadRepo(who: AuthedUser | undefined, meta: RepoMeta): boolean {
  if (meta.extra.mirror) return mayReadMirrored(who, meta);
  return canReadPrivate(who, meta.namespace);
}
