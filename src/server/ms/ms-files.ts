import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { sendBlob } from "../http/send-blob.js";
import { objectHint } from "../mirror/object-hint.js";
import type { Commit, RepoMeta } from "../store/repo-store.js";
import { msOk } from "./ms-envelope.js";
import { msRepo } from "./ms-repo-access.js";
import { msFileEntry } from "./ms-serialize.js";

const truthy = (v: string | null) => v !== null && ["true", "1", "yes"].includes(v.toLowerCase());

async function entriesAt(
  ctx: RequestContext,
  meta: RepoMeta,
  commit: Commit,
  root: string,
  recursive: boolean,
) {
  const nodes = ctx.hub.repos.tree(commit).list(root, recursive);
  if (!nodes) throw new HttpError(404, `path not found: ${root}`);
  const last = await ctx.hub.repos.lastCommitsOf(
    meta,
    commit,
    nodes.map((n) => ({ path: n.path, isDir: n.type === "directory" })),
  );
  return nodes.map((node) => msFileEntry(node, last.get(node.path) ?? commit));
}

function rootParam(ctx: RequestContext): string {
  return (ctx.url.searchParams.get("Root") ?? "").replace(/^\/+|\/+$/g, "");
}

/** `GET /api/v1/models/{o}/{n}/repo/files?Revision=&Root=&Recursive=`: not paginated. */
export async function listModelFiles(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx);
  const commit = await ctx.hub.repos.commitAt(
    meta,
    ctx.url.searchParams.get("Revision") || meta.defaultBranch,
  );
  const files = await entriesAt(
    ctx,
    meta,
    commit,
    rootParam(ctx),
    truthy(ctx.url.searchParams.get("Recursive")),
  );
  msOk(ctx, { Files: files, LatestCommitter: null });
}

/**
 * `GET /api/v1/datasets/{o}/{n}|{id}/repo/tree?Revision=&Root=&Recursive=&PageNumber=&PageSize=`.
 * Real pagination: the legacy SDK keeps asking while a page is full.
 */
export async function listDatasetTree(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx, { type: "dataset" });
  const q = ctx.url.searchParams;
  const commit = await ctx.hub.repos.commitAt(meta, q.get("Revision") || meta.defaultBranch);
  const all = await entriesAt(ctx, meta, commit, rootParam(ctx), truthy(q.get("Recursive")));
  const size = Math.min(Math.max(Number(q.get("PageSize")) || 100, 1), 1000);
  const page = Math.max(Number(q.get("PageNumber")) || 1, 1);
  msOk(ctx, { Files: all.slice((page - 1) * size, page * size) }, { TotalCount: all.length });
}

/**
 * `GET /api/v1/{models,datasets}/{o}/{n}/repo?Revision=&FilePath=`: small files directly (Range
 * honoured), LFS files by 302 to a signed object URL, as the real site hands them to its CDN.
 */
export async function downloadFile(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx);
  const q = ctx.url.searchParams;
  const path = (q.get("FilePath") ?? "").replace(/^\/+/, "");
  if (!path) throw new HttpError(400, "FilePath is required");
  const commit = await ctx.hub.repos.commitAt(meta, q.get("Revision") || meta.defaultBranch);
  const file = commit.files[path];
  if (!file)
    throw new HttpError(
      404,
      `file ${path} does not exist in ${meta.namespace}/${meta.name}@${q.get("Revision") || meta.defaultBranch}`,
    );
  const range = ctx.req.headers.range;
  if (ctx.method === "GET" && (!range || /^bytes=0-/.test(range))) ctx.hub.repos.countDownload(meta);
  if (file.lfs) {
    const location = ctx.hub.signer.sign(ctx.baseUrl, `/_hubferry/objects/${file.sha256}`, 1800, {
      filename: path.split("/").pop() ?? "file",
      commit: commit.id,
      ...(await objectHint(ctx.hub, meta, file, path)),
    });
    ctx.res.writeHead(302, { ...ctx.headers, Location: location, "Content-Length": "0" });
    ctx.res.end();
    return;
  }
  // X-Linked-ETag lets modelscope-hub verify a single-file download against the content sha256.
  await sendBlob(ctx, file, {
    filename: path,
    headers: { ETag: `"${file.sha256}"`, "X-Linked-ETag": `"${file.sha256}"` },
  });
}
