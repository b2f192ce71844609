import { z } from "zod";
import { type RequestContext, readBody, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { paginate } from "../http/paginate.js";
import type { TreeNode } from "../store/file-tree.js";
import { EntryNotFound } from "../store/repo-store.js";
import { xetHashOf } from "../xet/xet-files.js";
import { parseBody } from "./hf-body.js";
import { hfRepo } from "./hf-repo-access.js";
import { repoInfoJson, treeEntryJson } from "./hf-serialize.js";

/** The JSON form huggingface.js sends: `{paths: string[], expand?: boolean}` (a lone path is accepted). */
const PathsInfoJson = z.object({
  paths: z.union([z.string(), z.array(z.string())]).nullish(),
  expand: z.union([z.boolean(), z.string()]).nullish(),
});

const truthy = (v: string | null) => v === "true" || v === "1";

/** `GET /api/{type}s/{id}[/revision/{rev}]`: `expand` is accepted and the full object returned. */
export async function repoInfo(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx);
  const commit = await ctx.hub.repos.commitAt(meta, ctx.params.rev ?? "HEAD");
  const blobs = truthy(ctx.url.searchParams.get("blobs"));
  sendJson(ctx, 200, await repoInfoJson(ctx, meta, commit, { siblings: true, blobs }));
}

async function withLastCommit(
  ctx: RequestContext,
  node: TreeNode,
  head: Parameters<typeof ctx.hub.repos.lastCommitOf>[1],
  meta: Parameters<typeof ctx.hub.repos.lastCommitOf>[0],
) {
  const entry = treeEntryJson(node, (f) => xetHashOf(ctx.hub, meta, f));
  const last = await ctx.hub.repos.lastCommitOf(meta, head, node.path, node.type === "directory");
  entry.lastCommit = { id: last.id, title: last.title, date: last.date };
  return entry;
}

/** `GET /api/{type}s/{id}/tree/{rev}[/{path}]`, paginated with an absolute `Link` header. */
export async function listTree(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx);
  const commit = await ctx.hub.repos.commitAt(meta, ctx.params.rev!);
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const recursive = truthy(ctx.url.searchParams.get("recursive"));
  const expand = truthy(ctx.url.searchParams.get("expand"));
  const nodes = ctx.hub.repos.tree(commit).list(path, recursive);
  if (!nodes) throw new EntryNotFound(`Entry not found: ${path} does not exist in revision ${commit.id}`);
  const pageSize = expand ? Math.min(50, ctx.hub.options.treePageSize) : ctx.hub.options.treePageSize;
  const { page, headers } = paginate(ctx, nodes, pageSize);
  const body = expand
    ? await Promise.all(page.map((n) => withLastCommit(ctx, n, commit, meta)))
    : page.map((n) => treeEntryJson(n, (f) => xetHashOf(ctx.hub, meta, f)));
  sendJson(ctx, 200, body, { ...headers, "X-Repo-Commit": commit.id });
}

/** `POST /api/{type}s/{id}/paths-info/{rev}`: form-encoded (Python) or JSON (JS); unknown paths omitted. */
export async function pathsInfo(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx);
  const commit = await ctx.hub.repos.commitAt(meta, ctx.params.rev!);
  const raw = (await readBody(ctx)).toString("utf8");
  let paths: string[] = [];
  let expand = false;
  if ((ctx.req.headers["content-type"] ?? "").includes("json")) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HttpError(400, "Request body is not valid JSON");
    }
    const body = parseBody(PathsInfoJson, json);
    paths = typeof body.paths === "string" ? [body.paths] : (body.paths ?? []);
    expand = body.expand === true || body.expand === "true";
  } else {
    const form = new URLSearchParams(raw);
    paths = form.getAll("paths");
    expand = truthy(form.get("expand"));
  }
  if (paths.length > 1000) throw new HttpError(413, "too many parameters: at most 1000 paths per request");
  const tree = ctx.hub.repos.tree(commit);
  const nodes = [...new Set(paths)]
    .map((p) => tree.node(p.replace(/^\/+|\/+$/g, "")))
    .filter((n): n is TreeNode => !!n);
  const body = expand
    ? await Promise.all(nodes.map((n) => withLastCommit(ctx, n, commit, meta)))
    : nodes.map((n) => treeEntryJson(n, (f) => xetHashOf(ctx.hub, meta, f)));
  sendJson(ctx, 200, body, { "X-Repo-Commit": commit.id });
}
