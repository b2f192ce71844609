import { StringDecoder } from "node:string_decoder";
import { parseRepoCard } from "../../core/repo-card.js";
import type { RequestContext } from "../http/context.js";
import type { TreeNode } from "../store/file-tree.js";
import type { Commit, RepoMeta } from "../store/repo-store.js";

const epoch = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

export function visibilityCode(meta: RepoMeta): number {
  const v = meta.extra.visibility;
  if (typeof v === "number") return v;
  return meta.private ? 1 : 5;
}

/** How much of README.md repo infos carry (`ReadMeContent`, card tags): a README may be a huge LFS file. */
export const MAX_README_BYTES = 1024 * 1024;

async function readme(ctx: RequestContext, commit: Commit): Promise<string> {
  const f = commit.files["README.md"];
  if (!f) return "";
  // The decoder holds back a character cut at the limit instead of mangling it.
  return new StringDecoder("utf8").write(await ctx.hub.blobs.readHead(f.sha256, MAX_README_BYTES));
}

function cardTags(text: string): string[] {
  const data = parseRepoCard(text).data ?? {};
  const tags = data.tags;
  return Array.isArray(tags)
    ? tags.filter((t): t is string => typeof t === "string")
    : typeof tags === "string"
      ? [tags]
      : [];
}

function cardTasks(text: string): string[] {
  const data = parseRepoCard(text).data ?? {};
  const t = data.tasks ?? data.pipeline_tag ?? data.task_categories;
  return Array.isArray(t)
    ? t.filter((x): x is string => typeof x === "string")
    : typeof t === "string"
      ? [t]
      : [];
}

/** `/api/v1/{models,datasets}/{o}/{n}` Data, PascalCase, with the keys both SDK generations read. */
export async function msRepoInfo(
  ctx: RequestContext,
  meta: RepoMeta,
  commit: Commit,
): Promise<Record<string, unknown>> {
  const text = await readme(ctx, commit);
  const org = { Id: 1, Name: meta.namespace, FullName: ctx.hub.users.orgFullname(meta.namespace), Type: 1 };
  const common = {
    Id: meta.extra.numericId,
    Name: meta.name,
    ChineseName: (meta.extra.chineseName as string | undefined) ?? "",
    Visibility: visibilityCode(meta),
    // A repo without a licence says none: the site never reports one its author did not choose.
    License: meta.license ?? "",
    Description: (meta.extra.description as string | undefined) ?? "",
    Downloads: ctx.hub.repos.downloadCount(meta),
    Likes: meta.likes,
    Stars: meta.likes,
    LastUpdatedTime: epoch(commit.date),
    ReadMeContent: text,
    Organization: org,
    CreatedBy: meta.extra.createdBy ?? meta.namespace,
    Revision: commit.id,
    IsAccessible: 1,
  };
  if (meta.type === "dataset") {
    return {
      ...common,
      Type: 1,
      Owner: meta.namespace,
      Namespace: meta.namespace,
      GmtCreate: epoch(meta.createdAt),
      CreatedTime: epoch(meta.createdAt),
      Tags: cardTags(text).map((Name) => ({ Name, Color: "" })),
    };
  }
  return {
    ...common,
    Path: meta.namespace,
    IsPublished: 1,
    IsOnline: 1,
    AlreadyStar: false,
    CreatedTime: epoch(meta.createdAt),
    Tasks: cardTasks(text).map((Name) => ({ Name })),
    Tags: cardTags(text),
    ModelInfos: {},
    ApprovalMode: 1,
    CardReady: 1,
    BackendSupport: "",
  };
}

/** OpenAPI (`/openapi/v1/...`) repo object, snake_case. */
export async function openapiRepo(
  ctx: RequestContext,
  meta: RepoMeta,
  commit: Commit,
  detail: boolean,
): Promise<Record<string, unknown>> {
  const text = await readme(ctx, commit);
  const out: Record<string, unknown> = {
    id: `${meta.namespace}/${meta.name}`,
    display_name: (meta.extra.chineseName as string | undefined) || meta.name,
    description: (meta.extra.description as string | undefined) ?? "",
    downloads: ctx.hub.repos.downloadCount(meta),
    likes: meta.likes,
    license: meta.license ?? "apache-2.0",
    tasks: cardTasks(text),
    tags: cardTags(text),
    created_at: meta.createdAt,
    last_modified: commit.date,
    file_size: Object.values(commit.files).reduce((n, f) => n + f.size, 0),
    private: meta.private,
    gated: meta.gated !== false,
    revision: commit.id,
  };
  if (detail) out.readme = text;
  return out;
}

/** A `repo/files` / `repo/tree` entry. `Sha256` is the content hash for every file, LFS or not. */
export function msFileEntry(node: TreeNode, last: Commit): Record<string, unknown> {
  const name = node.path.split("/").pop() ?? node.path;
  const base = {
    CommitMessage: last.title,
    CommittedDate: epoch(last.date),
    CommitterName: last.author,
    InCheck: false,
    Name: name,
    Path: node.path,
    Revision: last.id,
  };
  if (node.type === "directory")
    return { ...base, IsLFS: false, Mode: "16384", Sha256: "", Size: 0, Type: "tree" };
  return {
    ...base,
    IsLFS: node.file!.lfs,
    Mode: "33188",
    Sha256: node.file!.sha256,
    Size: node.size,
    Type: "blob",
  };
}
