import type { RepoType } from "../../core/repo-type.js";
import type { AuthedUser } from "../auth/users.js";
import { HttpError } from "../http/http-error.js";
import type { HubState } from "../hub-state.js";
import { allocateNumericId } from "../ms/ms-numeric-id.js";
import { type Face, type RepoKey, type RepoMeta, repoKeyString } from "../store/repo-store.js";
import { BlobFetcher, type BlobOrigin } from "./blob-fetcher.js";
import { mayReadMirrored } from "./mirror-access.js";
import type { MirrorOptions } from "./mirror-options.js";
import { pruneMirror } from "./mirror-store.js";
import { listFiles, listingCommitId, mirroredCommit } from "./mirrored-commit.js";
import { type MirroredFrom, mirroredFrom, rememberReadAs } from "./mirrored-from.js";
import {
  type Upstream,
  type UpstreamFile,
  UpstreamNotFound,
  UpstreamRefused,
  type UpstreamRepo,
  UpstreamUnreachable,
} from "./upstream.js";
import { upstreamHttpError } from "./upstream-errors.js";

const COMMIT_RE = /^[0-9a-f]{40}$/;
/** Downloads often come in bursts (a snapshot): one prune after the burst, not one per file. */
const PRUNE_DELAY_MS = 5_000;
/** (repo, revision) answers kept for the TTL; past this many the oldest is forgotten. */
const MAX_RESOLVED = 100_000;

/**
 * The pull-through side of the local hub: before a face reads a repo of a mirrored namespace,
 * `ensure` makes the store hold the commit the asked revision names upstream. A commit id is
 * immutable, so once stored it is never asked again; a branch or tag name is re-resolved once its
 * TTL has passed. Upstream down (or `offline`): what the store has is served, a miss is 504.
 */
export class Mirror {
  /** When each (repo, revision name) was last resolved upstream, and to what. */
  private readonly resolved = new Map<string, { sha: string; at: number }>();
  /** One upstream resolution per (repo, revision) at a time: concurrent clients share it. */
  private readonly pending = new Map<string, Promise<void>>();
  /** LFS blobs fetched on their first download. */
  readonly blobs: BlobFetcher;

  constructor(
    private readonly hub: HubState,
    readonly options: MirrorOptions,
  ) {
    this.blobs = new BlobFetcher(hub.blobs, () => this.schedulePrune());
  }

  private pruneTimer: NodeJS.Timeout | undefined;

  /** Some seconds after a blob was stored, the store is pruned back to --mirror-max-size (once at a time). */
  private schedulePrune(): void {
    const max = this.options.maxBytes;
    if (max === undefined || this.pruneTimer) return;
    this.pruneTimer = setTimeout(() => {
      void pruneMirror(this.hub, max)
        .catch(() => {})
        .finally(() => {
          this.pruneTimer = undefined;
        });
    }, PRUNE_DELAY_MS);
    this.pruneTimer.unref();
  }

  /** Where a stored mirrored repo's file comes from upstream (undefined: a local repo). */
  origin(meta: RepoMeta, sha: string, path: string): BlobOrigin | undefined {
    const from = mirroredFrom(meta);
    const upstream = this.upstream(meta.face);
    if (!from || !upstream) return undefined;
    return {
      upstream,
      type: meta.type,
      repo: { id: from.id, sha: from.readAs?.[sha] ?? sha, private: meta.private, gated: meta.gated },
      path,
    };
  }

  upstream(face: Face): Upstream | undefined {
    return this.options.upstreams[face];
  }

  /** A namespace is local when a user or org of the users file (or --local-namespace) has it. */
  isMirrored(face: Face, namespace: string): boolean {
    if (!this.options.upstreams[face]) return false;
    if (this.hub.users.namespaceExists(namespace)) return false;
    return !this.options.localNamespaces.includes(namespace);
  }

  /** Refuses a write into a mirrored namespace with what to do instead. */
  refuseWrite(face: Face, namespace: string): void {
    if (!this.isMirrored(face, namespace)) return;
    throw new HttpError(
      403,
      `"${namespace}" is mirrored from ${this.upstream(face)!.endpoint}: it is read-only here. Push to upstream, or to a local namespace (your user name or one of your orgs).`,
    );
  }

  async ensure(k: RepoKey, revision: string | undefined, who: AuthedUser | undefined): Promise<void> {
    if (!this.isMirrored(k.face, k.namespace)) return;
    const stored = this.stored(k);
    // A repo made here before the namespace was mirrored stays local: upstream never writes into it.
    if (stored && !mirroredFrom(stored)) return;
    const rev = revision === "HEAD" ? undefined : revision;
    if (stored && rev && COMMIT_RE.test(rev) && (await this.hub.repos.loadCommit(stored, rev))) return;
    const slot = `${repoKeyString(k).toLowerCase()}@${rev ?? ""}`;
    const known = this.resolved.get(slot);
    const fresh = known && Date.now() - known.at < this.options.ttlSeconds * 1000;
    // Fresh: the store has what upstream named, or upstream said it has no such repo or revision.
    if (fresh && (stored || !known.sha)) return;
    if (this.options.offline) return this.fromStore(stored, rev, "the mirror runs offline");
    let run = this.pending.get(slot);
    if (!run) {
      run = this.refresh(k, rev, slot, who).finally(() => this.pending.delete(slot));
      this.pending.set(slot, run);
    }
    await run;
  }

  /** The stored repo of that id, however the request spelled it (upstream ids match case-insensitively). */
  private stored(k: RepoKey): RepoMeta | undefined {
    const exact = this.hub.repos.get(k);
    if (exact) return exact;
    const id = `${k.namespace}/${k.name}`.toLowerCase();
    return this.hub.repos.all(k.face, k.type).find((m) => `${m.namespace}/${m.name}`.toLowerCase() === id);
  }

  /** Remembers what upstream said of a slot (sha "" for "no such repo or revision"), bounded. */
  private remember(slot: string, sha: string): void {
    if (this.resolved.size >= MAX_RESOLVED) this.resolved.delete(this.resolved.keys().next().value!);
    this.resolved.delete(slot);
    this.resolved.set(slot, { sha, at: Date.now() });
  }

  private async refresh(
    k: RepoKey,
    rev: string | undefined,
    slot: string,
    who: AuthedUser | undefined,
  ): Promise<void> {
    const upstream = this.upstream(k.face)!;
    const id = `${k.namespace}/${k.name}`;
    let info: UpstreamRepo;
    try {
      info = await upstream.repo(k.type, id, rev);
    } catch (err) {
      return this.upstreamFailed(err, k, rev, slot);
    }
    const target: RepoKey = { ...k, ...splitId(info.id, k) };
    // A repo the caller may not read is not fetched on their behalf: the face answers not found.
    if ((info.private || info.gated) && !mayReadMirrored(who, target) && !this.hub.repos.get(target)) return;
    await this.hub.repos.locks.run(repoKeyString(target), async () => {
      let meta = this.hub.repos.get(target);
      if (meta && !mirroredFrom(meta)) return;
      const { id, listed } = await this.commitIdOf(upstream, k.type, info);
      if (!meta || !(await this.hub.repos.loadCommit(meta, id))) {
        const commit = await this.fetchCommit(upstream, k.type, info, { id, listed });
        meta ??= await this.hub.repos.createForeign(target, {
          private: info.private,
          sdk: info.sdk,
          license: info.license,
          defaultBranch: k.face === "ms" ? "master" : "main",
          extra: {
            mirror: { endpoint: upstream.endpoint, id: info.id, readAs: {} } satisfies MirroredFrom,
            // The legacy ModelScope SDK finds a dataset by its numeric id, which each store makes.
            ...(k.face === "ms" ? { numericId: allocateNumericId(this.hub) } : {}),
          },
        });
        await this.hub.repos.importCommit(meta, commit);
      }
      if (id !== info.sha) rememberReadAs(mirroredFrom(meta)!, id, info.sha);
      meta.private = info.private;
      meta.gated = info.gated;
      pinRef(meta, rev, id);
      await this.hub.repos.saveMeta(meta);
    });
    this.remember(slot, info.sha);
  }

  /** Upstream's commit id, or one made from the listing when upstream names no commit. */
  private async commitIdOf(
    upstream: Upstream,
    type: RepoType,
    info: UpstreamRepo,
  ): Promise<{ id: string; listed?: UpstreamFile[] }> {
    if (COMMIT_RE.test(info.sha)) return { id: info.sha };
    try {
      const listed = await listFiles(upstream, type, info);
      return { id: listingCommitId(listed), listed };
    } catch (err) {
      throw upstreamHttpError(upstream.endpoint, err) ?? err;
    }
  }

  private async fetchCommit(
    upstream: Upstream,
    type: RepoType,
    info: UpstreamRepo,
    opts: { id: string; listed?: UpstreamFile[] },
  ) {
    try {
      return await mirroredCommit(upstream, this.hub.blobs, type, info, opts);
    } catch (err) {
      throw upstreamHttpError(upstream.endpoint, err) ?? err;
    }
  }

  /** Upstream did not answer with the repo: say why, or serve what the store already has. */
  private async upstreamFailed(
    err: unknown,
    k: RepoKey,
    rev: string | undefined,
    slot: string,
  ): Promise<void> {
    const upstream = this.upstream(k.face)!;
    if (err instanceof UpstreamNotFound) {
      this.remember(slot, "");
      // Upstream is the truth for names: a repo or branch gone there is gone here (commit ids stay).
      const meta = this.stored(k);
      if (err.what === "revision" && meta && rev && unpinRef(meta, rev)) await this.hub.repos.saveMeta(meta);
      return;
    }
    if (err instanceof UpstreamRefused)
      throw new HttpError(
        502,
        `Upstream ${upstream.endpoint} refused the mirror's credentials: ${err.message}`,
      );
    if (err instanceof UpstreamUnreachable)
      return this.fromStore(
        this.stored(k),
        rev,
        `upstream ${upstream.endpoint} could not be reached (${err.message})`,
      );
    throw err;
  }

  /** Without upstream, the store answers if it knows the revision; else 504, never "not found". */
  private async fromStore(meta: RepoMeta | undefined, rev: string | undefined, why: string): Promise<void> {
    if (meta) {
      try {
        await this.hub.repos.resolveRevision(meta, rev ?? "HEAD");
        return;
      } catch {
        // not stored: a miss
      }
    }
    throw new HttpError(504, `Not in the mirror's store, and ${why}; try again when upstream is reachable`, {
      code: "UpstreamUnreachable",
    });
  }
}

/** Upstream's own spelling of the id (ids match case-insensitively there). */
function splitId(id: string, k: RepoKey): { namespace: string; name: string } {
  const [namespace, name] = id.split("/");
  return namespace && name ? { namespace, name } : { namespace: k.namespace, name: k.name };
}

/** A name upstream resolved is kept as a ref of the stored repo (a commit id needs none). */
function pinRef(meta: RepoMeta, rev: string | undefined, sha: string): void {
  if (rev && COMMIT_RE.test(rev)) return;
  const name = (rev ?? meta.defaultBranch).replace(/^refs\/heads\//, "");
  if (name.startsWith("refs/pr/")) meta.pullRequests[name] = sha;
  else if (name.startsWith("refs/tags/")) meta.tags[name.slice("refs/tags/".length)] = sha;
  else if (meta.tags[name] !== undefined) meta.tags[name] = sha;
  else meta.branches[name] = sha;
}

function unpinRef(meta: RepoMeta, rev: string): boolean {
  const name = rev.replace(/^refs\/(heads|tags)\//, "");
  const had = name in meta.branches || name in meta.tags || rev in meta.pullRequests;
  delete meta.branches[name];
  delete meta.tags[name];
  delete meta.pullRequests[rev];
  return had;
}
