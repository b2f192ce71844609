import { type RequestContext, sendText } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { parseRange } from "../http/range.js";
import { sendBlob } from "../http/send-blob.js";
import { objectHint } from "../mirror/object-hint.js";
import { refuseBadResume, sendMirroredBlob } from "../mirror/send-mirrored-blob.js";
import { lfsPointer } from "../store/git-objects.js";
import { EntryNotFound } from "../store/repo-store.js";
import { casUrl, xetAuthPath, xetHashOf } from "../xet/xet-files.js";
import { checkGated, hfRepo } from "./hf-repo-access.js";

/** What @huggingface/hub sends to learn a file's Xet info instead of its bytes. */
const XET_FILEINFO = "application/vnd.xet-fileinfo+json";
/** A token route named in a signed object URL (checked: it ends up in a response header). */
const XET_AUTH_PATH = /^\/api\/(?:models|datasets|spaces)\/[^/?#]+\/[^/?#]+\/xet-read-token\/[^/?#]+$/;

/**
 * The headers that tell a Xet client to download through the CAS (hub-docs `file-id.md`):
 * huggingface_hub needs `X-Xet-Hash` plus the `xet-auth` link (or `X-Xet-Refresh-Route`).
 */
function xetHeaders(baseUrl: string, hash: string, authPath: string): Record<string, string> {
  return {
    "X-Xet-Hash": hash,
    "X-Xet-Refresh-Route": `${baseUrl}${authPath}`,
    Link: `<${baseUrl}${authPath}>; rel="xet-auth", <${casUrl(baseUrl)}/v1/reconstructions/${hash}>; rel="xet-reconstruction-info"`,
  };
}

/**
 * `GET|HEAD /{prefix}{id}/resolve/{rev}/{path}` (and `/raw/`). Regular files are served directly
 * with their git blob id as ETag; LFS files answer 302 to a signed object URL carrying
 * `X-Linked-Etag` (sha256) and `X-Linked-Size`, the way the real hub hands LFS files to its CDN.
 */
export async function resolveFile(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx);
  const commit = await ctx.hub.repos.commitAt(meta, ctx.params.rev!);
  const path = ctx.params.path!;
  const file = commit.files[path];
  if (!file) {
    throw new HttpError(404, `Entry not found: ${path}`, {
      code: "EntryNotFound",
      headers: { "X-Repo-Commit": commit.id },
    });
  }
  checkGated(ctx, meta);
  const common = { "X-Repo-Commit": commit.id };
  const raw = ctx.params.kind === "raw";
  const isFullGet = ctx.method === "GET" && !ctx.req.headers.range;
  if (raw && file.lfs) {
    // The git object of an LFS file is its pointer, made from the entry: nothing to read or store.
    sendPointer(ctx, lfsPointer(file.sha256, file.size), { ...common, ETag: `"${file.gitOid}"` });
    return;
  }
  if (file.lfs) {
    const xetHash = xetHashOf(ctx.hub, meta, file);
    const authPath = xetAuthPath(meta, commit.id);
    const xet = xetHash ? xetHeaders(ctx.baseUrl, xetHash, authPath) : {};
    if (xetHash && ctx.method === "GET" && (ctx.req.headers.accept ?? "").includes(XET_FILEINFO)) {
      // @huggingface/hub asks for the Xet file info: answered here, the bytes come from the CAS.
      ctx.hub.repos.countDownload(meta);
      const info = {
        hash: xetHash,
        etag: file.sha256,
        size: file.size,
        refreshUrl: `${ctx.baseUrl}${authPath}`,
      };
      const data = Buffer.from(JSON.stringify(info));
      ctx.res.writeHead(200, {
        ...ctx.headers,
        ...common,
        ...xet,
        "Content-Type": XET_FILEINFO,
        "Content-Length": String(data.byteLength),
        ETag: `"${file.gitOid}"`,
        "X-Linked-Etag": `"${file.sha256}"`,
        "X-Linked-Size": String(file.size),
      });
      ctx.res.end(data);
      return;
    }
    if (isFullGet) ctx.hub.repos.countDownload(meta);
    const location = ctx.hub.signer.sign(ctx.baseUrl, `/_hubferry/objects/${file.sha256}`, 3600, {
      filename: path.split("/").pop() ?? "file",
      commit: commit.id,
      ...(await objectHint(ctx.hub, meta, file, path)),
      ...(xetHash ? { xetAuth: authPath } : {}),
    });
    ctx.res.writeHead(302, {
      ...ctx.headers,
      ...common,
      Location: location,
      ETag: `"${file.gitOid}"`,
      "X-Linked-Etag": `"${file.sha256}"`,
      "X-Linked-Size": String(file.size),
      ...xet,
      "Content-Length": "0",
    });
    ctx.res.end();
    return;
  }
  if (isFullGet) ctx.hub.repos.countDownload(meta);
  await sendBlob(ctx, file, { filename: path, headers: { ...common, ETag: `"${file.gitOid}"` } });
}

/** The pointer text of an LFS file, honouring `Range` like every other file body (206/416). */
function sendPointer(ctx: RequestContext, text: string, headers: Record<string, string>): void {
  const data = Buffer.from(text);
  const range = parseRange(ctx.req.headers.range, data.byteLength);
  const base = { ...headers, "Accept-Ranges": "bytes" };
  if (range.kind === "full") {
    sendText(ctx, 200, text, base);
    return;
  }
  if (range.kind === "unsatisfiable") {
    ctx.res.writeHead(416, { ...ctx.headers, ...base, "Content-Range": `bytes */${data.byteLength}` });
    ctx.res.end();
    return;
  }
  const part = data.subarray(range.start, range.end + 1);
  ctx.res.writeHead(206, {
    ...ctx.headers,
    ...base,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Range": `bytes ${range.start}-${range.end}/${data.byteLength}`,
    "Content-Length": String(part.byteLength),
  });
  ctx.res.end(ctx.method === "HEAD" ? undefined : part);
}

/** The signed object URL an LFS resolve redirects to (served by the "CDN" of this hub). */
export async function downloadObject(ctx: RequestContext): Promise<void> {
  if (!ctx.hub.signer.verify(ctx.url.pathname, ctx.url.searchParams)) {
    throw new HttpError(403, "Request has expired or its signature is invalid");
  }
  const sha256 = ctx.params.sha256!;
  refuseBadResume(ctx, sha256);
  const blob = await ctx.hub.blobs.stat(sha256);
  const filename = ctx.url.searchParams.get("filename") ?? sha256;
  // huggingface_hub >= 2 follows same-origin redirects on HEAD, so the object answer repeats the
  // metadata of the redirect (commit, sha256 ETag, size) that a cross-host CDN answer would not need.
  const commit = ctx.url.searchParams.get("commit");
  const headers: Record<string, string> = { ETag: `"${sha256}"`, "X-Linked-Etag": `"${sha256}"` };
  if (blob) headers["X-Linked-Size"] = String(blob.size);
  if (commit && /^[0-9a-f]{40}$/.test(commit)) headers["X-Repo-Commit"] = commit;
  // ...and its Xet headers, since huggingface_hub reads them from the end of the redirects it follows.
  const xetAuth = ctx.url.searchParams.get("xetAuth");
  const xetHash = xetAuth && XET_AUTH_PATH.test(xetAuth) ? ctx.hub.xet.fileHash(sha256) : undefined;
  if (xetAuth && xetHash) Object.assign(headers, xetHeaders(ctx.baseUrl, xetHash, xetAuth));
  if (blob && ctx.method === "GET" && ctx.hub.mirror) void ctx.hub.blobs.touch(sha256);
  if (!blob) {
    if (await sendMirroredBlob(ctx, sha256, filename, headers)) return;
    throw new EntryNotFound("Object not found");
  }
  await sendBlob(ctx, blob, { filename, headers });
}
