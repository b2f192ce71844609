import type { AuthedUser } from "../auth/users.js";
import type { RepoKey } from "../store/repo-store.js";

/**
 * Whether the users file grants `who` a repo that upstream keeps private or gated. The mirror holds
 * the token that fetched it, so without a grant no local user sees it, however upstream would
 * have answered them.
 */
export function mayReadMirrored(
  who: AuthedUser | undefined,
  k: Pick<RepoKey, "face" | "namespace" | "name">,
): boolean {
  if (!who) return false;
  const exact = `${k.face}:${k.namespace}/${k.name}`.toLowerCase();
  const all = `${k.face}:${k.namespace}/*`.toLowerCase();
  return who.user.mirrorGrants.some((g) => {
    const grant = g.toLowerCase();
    return grant === exact || grant === all;
  });
}
