import { deriveTags, parseRepoCard } from "../../core/repo-card.js";
import type { RequestContext } from "../http/context.js";
import type { HubState } from "../hub-state.js";
import type { FileEntry, TreeNode } from "../store/file-tree.js";
import { lfsPointerOid } from "../store/git-objects.js";
import type { Commit, RepoMeta } from "../store/repo-store.js";

const cardCache = new Map<string, Record<string, unknown> | undefined>();

/** The card metadata (README.md front matter) of a commit, cached by README blob. */
export async function cardData(hub: HubState, commit: Commit): Promise<Record<string, unknown> | undefined> {
  const readme = commit.files["README.md"];
  if (!readme) return undefined;
  if (!cardCache.has(readme.sha256)) {
    if (cardCache.size >= 1000) cardCache.clear();
    const text = (await hub.blobs.readAll(readme.sha256)).toString("utf8");
    cardCache.set(readme.sha256, parseRepoCard(text).data);
  }
  return cardCache.get(readme.sha256);
}

export function lfsInfo(f: FileEntry): { oid: string; size: number; pointerSize: number } {
  return { oid: f.sha256, size: f.size, pointerSize: lfsPointerOid(f.sha256, f.size).pointerSize };
}

/** A tree/paths-info entry as the hub returns it; `xetHash` only once the file's Xet layout is ready. */
export function treeEntryJson(
  node: TreeNode,
  xetHash?: (f: FileEntry) => string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { type: node.type, oid: node.oid, size: node.size, path: node.path };
  if (node.file?.lfs) {
    out.lfs = lfsInfo(node.file);
    const xet = xetHash?.(node.file);
    if (xet) out.xetHash = xet;
  }
  return out;
}

/** What repo info takes from a commit (not from the repo's settings): search keeps it per head. */
export interface HeadFacts {
  sha: string;
  lastModified: string;
  tags: string[];
  usedStorage: number;
  pipelineTag?: string;
  libraryName?: string;
  prettyName?: string;
  cardSdk?: string;
}

export async function headFacts(hub: HubState, meta: RepoMeta, commit: Commit): Promise<HeadFacts> {
  const card = await cardData(hub, commit);
  const text = (key: string) => (typeof card?.[key] === "string" ? (card[key] as string) : undefined);
  return {
    sha: commit.id,
    lastModified: commit.date,
    tags: deriveTags(card, Object.keys(commit.files), meta.type),
    usedStorage: Object.values(commit.files).reduce((n, f) => n + f.size, 0),
    pipelineTag: text("pipeline_tag"),
    libraryName: text("library_name"),
    prettyName: text("pretty_name"),
    cardSdk: text("sdk"),
  };
}

/**
 * Repo info (`/api/{type}s/{id}`) and search items share one shape: the head's facts and the
 * repo's current settings (visibility, likes, downloads), without the card or the file list.
 */
export function repoSummaryJson(
  ctx: RequestContext,
  meta: RepoMeta,
  facts: HeadFacts,
): Record<string, unknown> {
  const id = `${meta.namespace}/${meta.name}`;
  const out: Record<string, unknown> = {
    _id: meta.objectId,
    id,
    author: meta.namespace,
    sha: facts.sha,
    lastModified: facts.lastModified,
    createdAt: meta.createdAt,
    private: meta.private,
    gated: meta.gated,
    disabled: false,
    downloads: ctx.hub.repos.downloadCount(meta),
    likes: meta.likes,
    tags: facts.tags,
    usedStorage: facts.usedStorage,
  };
  if (meta.type === "model") {
    out.modelId = id;
    if (facts.pipelineTag !== undefined) out.pipeline_tag = facts.pipelineTag;
    if (facts.libraryName !== undefined) out.library_name = facts.libraryName;
    out.spaces = [];
  }
  if (meta.type === "dataset" && facts.prettyName !== undefined) out.description = facts.prettyName;
  if (meta.type === "space") {
    out.sdk = meta.sdk ?? facts.cardSdk;
    out.subdomain = `${meta.namespace}-${meta.name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    out.runtime = { stage: "NO_APP_FILE", hardware: { current: null, requested: null } };
    out.models = [];
    out.datasets = [];
  }
  return out;
}

/** The whole repo info: the summary, the card's metadata and, when asked, the files. */
export async function repoInfoJson(
  ctx: RequestContext,
  meta: RepoMeta,
  commit: Commit,
  opts: { siblings: boolean; blobs: boolean },
): Promise<Record<string, unknown>> {
  const out = repoSummaryJson(ctx, meta, await headFacts(ctx.hub, meta, commit));
  const card = await cardData(ctx.hub, commit);
  if (card) out.cardData = card;
  if (opts.siblings) {
    out.siblings = Object.keys(commit.files)
      .sort()
      .map((p) => {
        const f = commit.files[p]!;
        if (!opts.blobs) return { rfilename: p };
        const s: Record<string, unknown> = { rfilename: p, size: f.size, blobId: f.gitOid };
        if (f.lfs) s.lfs = { size: f.size, sha256: f.sha256, pointerSize: lfsInfo(f).pointerSize };
        return s;
      });
  }
  return out;
}
