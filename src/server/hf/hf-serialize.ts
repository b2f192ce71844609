import { deriveTags, parseRepoCard } from "../../core/repo-card.js";
import type { RequestContext } from "../http/context.js";
import type { FileEntry, TreeNode } from "../store/file-tree.js";
import { lfsPointerOid } from "../store/git-objects.js";
import type { Commit, RepoMeta } from "../store/repo-store.js";

const cardCache = new Map<string, Record<string, unknown> | undefined>();

/** The card metadata (README.md front matter) of a commit, cached by README blob. */
export async function cardData(
  ctx: RequestContext,
  commit: Commit,
): Promise<Record<string, unknown> | undefined> {
  const readme = commit.files["README.md"];
  if (!readme) return undefined;
  if (!cardCache.has(readme.sha256)) {
    if (cardCache.size >= 1000) cardCache.clear();
    const text = (await ctx.hub.blobs.readAll(readme.sha256)).toString("utf8");
    cardCache.set(readme.sha256, parseRepoCard(text).data);
  }
  return cardCache.get(readme.sha256);
}

export function lfsInfo(f: FileEntry): { oid: string; size: number; pointerSize: number } {
  return { oid: f.sha256, size: f.size, pointerSize: lfsPointerOid(f.sha256, f.size).pointerSize };
}

/** A tree/paths-info entry as the hub returns it (never `xetHash`: this hub has no Xet). */
export function treeEntryJson(node: TreeNode): Record<string, unknown> {
  const out: Record<string, unknown> = { type: node.type, oid: node.oid, size: node.size, path: node.path };
  if (node.file?.lfs) out.lfs = lfsInfo(node.file);
  return out;
}

/** Repo info (`/api/{type}s/{id}`) and search items share one shape. */
export async function repoInfoJson(
  ctx: RequestContext,
  meta: RepoMeta,
  commit: Commit,
  opts: { siblings: boolean; blobs: boolean },
): Promise<Record<string, unknown>> {
  const card = await cardData(ctx, commit);
  const paths = Object.keys(commit.files).sort();
  const id = `${meta.namespace}/${meta.name}`;
  const out: Record<string, unknown> = {
    _id: meta.objectId,
    id,
    author: meta.namespace,
    sha: commit.id,
    lastModified: commit.date,
    createdAt: meta.createdAt,
    private: meta.private,
    gated: meta.gated,
    disabled: false,
    downloads: ctx.hub.repos.downloadCount(meta),
    likes: meta.likes,
    tags: deriveTags(card, paths, meta.type),
    usedStorage: Object.values(commit.files).reduce((n, f) => n + f.size, 0),
  };
  if (card) out.cardData = card;
  if (meta.type === "model") {
    out.modelId = id;
    if (typeof card?.pipeline_tag === "string") out.pipeline_tag = card.pipeline_tag;
    if (typeof card?.library_name === "string") out.library_name = card.library_name;
    out.spaces = [];
  }
  if (meta.type === "dataset" && typeof card?.pretty_name === "string") out.description = card.pretty_name;
  if (meta.type === "space") {
    out.sdk = meta.sdk ?? (typeof card?.sdk === "string" ? card.sdk : undefined);
    out.subdomain = `${meta.namespace}-${meta.name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    out.runtime = { stage: "NO_APP_FILE", hardware: { current: null, requested: null } };
    out.models = [];
    out.datasets = [];
  }
  if (opts.siblings) {
    out.siblings = paths.map((p) => {
      const f = commit.files[p]!;
      if (!opts.blobs) return { rfilename: p };
      const s: Record<string, unknown> = { rfilename: p, size: f.size, blobId: f.gitOid };
      if (f.lfs) s.lfs = { size: f.size, sha256: f.sha256, pointerSize: lfsInfo(f).pointerSize };
      return s;
    });
  }
  return out;
}
