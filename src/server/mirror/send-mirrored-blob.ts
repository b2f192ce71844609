import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { blobHeaders, sendBlob } from "../http/send-blob.js";
import { checkCapacity } from "../lfs/capacity.js";
import { upstreamHttpError } from "./upstream-errors.js";

const COMMIT_RE = /^[0-9a-f]{40}$/;

/**
 * Refuses to resume a download whose earlier body from upstream failed its check (the client's
 * head of the file may be wrong: it must start again from byte 0).
 */
export function refuseBadResume(ctx: RequestContext, sha256: string): void {
  const start = /^bytes=(\d+)-/.exec(String(ctx.req.headers.range ?? ""))?.[1];
  if (!start || Number(start) === 0 || !ctx.hub.mirror?.blobs.refusesResume(sha256)) return;
  throw new HttpError(
    502,
    "An earlier download of this file from upstream was bad and was cut short: the part you have may be wrong. Download it again from its first byte (force_download=True).",
  );
}

/**
 * Serves an LFS object the store does not hold yet, from the mirrored repo, commit and path its
 * signed URL names. False when the URL names no mirrored file of that object (a plain miss).
 */
export async function sendMirroredBlob(
  ctx: RequestContext,
  sha256: string,
  filename: string,
  headers: Record<string, string>,
): Promise<boolean> {
  const mirror = ctx.hub.mirror;
  const q = ctx.url.searchParams;
  const [objectId, commitId, path] = [q.get("repo"), q.get("commit"), q.get("path")];
  if (!mirror || !objectId || !commitId || !path || !COMMIT_RE.test(commitId)) return false;
  const meta = ctx.hub.repos.getByObjectId(objectId);
  const commit = meta && (await ctx.hub.repos.loadCommit(meta, commitId));
  const entry = commit?.files[path];
  const origin = meta && mirror.origin(meta, commitId, path);
  if (!entry || entry.sha256 !== sha256 || !origin) return false;
  const expected = { sha256, size: entry.size };
  const opts = { filename, headers: { ...headers, "X-Linked-Size": String(entry.size) } };
  if (ctx.method === "HEAD") {
    await sendBlob(ctx, expected, opts);
    return true;
  }
  const endpoint = origin.upstream.endpoint;
  if (mirror.options.offline)
    throw new HttpError(
      504,
      `Not in the mirror's store, and the mirror runs offline (upstream ${endpoint})`,
      {
        code: "UpstreamUnreachable",
      },
    );
  await checkCapacity(ctx.hub, entry.size);
  if (!ctx.req.headers.range && !mirror.blobs.isFetching(sha256)) {
    // The first whole download is served as it arrives from upstream.
    ctx.res.writeHead(200, { ...blobHeaders(ctx, opts), "Content-Length": String(entry.size) });
    await mirror.blobs.fetch(expected, origin, ctx.res).catch(() => ctx.res.destroy());
    return true;
  }
  try {
    await mirror.blobs.fetch(expected, origin);
  } catch (err) {
    throw upstreamHttpError(endpoint, err) ?? err;
  }
  await sendBlob(ctx, expected, opts);
  return true;
}
