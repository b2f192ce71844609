import type { RepoMeta } from "../store/repo-store.js";

/** What the store keeps of a mirrored repo's origin, in its meta's extras. */
export interface MirroredFrom {
  endpoint: string;
  id: string;
  /** Commits whose id the mirror made (upstream named no commit): the revision to read them by. */
  readAs?: Record<string, string>;
}

/** At most this many commits keep a revision to read them by; the oldest is dropped. */
const MAX_READ_AS = 100;

export function rememberReadAs(from: MirroredFrom, id: string, revision: string): void {
  from.readAs ??= {};
  delete from.readAs[id];
  from.readAs[id] = revision;
  const ids = Object.keys(from.readAs);
  for (const old of ids.slice(0, Math.max(0, ids.length - MAX_READ_AS))) delete from.readAs[old];
}

export function mirroredFrom(meta: RepoMeta): MirroredFrom | undefined {
  return meta.extra.mirror as MirroredFrom | undefined;
}
