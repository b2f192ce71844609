import { reconstructionV1, reconstructionV2 } from "../../xet/reconstruction.js";
import { type XetLayout, xorbOffsets } from "../../xet/xet-layout.js";
import { CHUNK_HEADER_SIZE, chunkHeader } from "../../xet/xorb-format.js";
import { checkGated, hfRepo, hfRepoToChange } from "../hf/hf-repo-access.js";
import { type RequestContext, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { parseRange } from "../http/range.js";
import { casUrl } from "./xet-files.js";

/** Signed xorb URLs live this long: a download asks for a new reconstruction after that. */
const XORB_URL_TTL_SECONDS = 900;

/**
 * `GET /api/{types}/{ns}/{name}/xet-read-token/{rev}`: a read token for this repo's CAS files, for
 * whoever may read the repo's files (private and gated rules as for resolve). huggingface_hub reads
 * the answer from the `X-Xet-*` headers, @huggingface/hub and the spec from the JSON body: both.
 */
export async function xetReadToken(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx);
  await ctx.hub.repos.commitAt(meta, ctx.params.rev!);
  checkGated(ctx, meta);
  const { accessToken, exp } = ctx.hub.xetTokens.issue(meta.objectId);
  const cas = casUrl(ctx.baseUrl);
  sendJson(
    ctx,
    200,
    { accessToken, exp, casUrl: cas },
    { "X-Xet-Cas-Url": cas, "X-Xet-Access-Token": accessToken, "X-Xet-Token-Expiration": String(exp) },
  );
}

/**
 * `GET .../xet-write-token/{rev}`: Xet uploads are not in this hub yet. A plain answer saying so
 * (501) instead of the RepoNotFound the path would otherwise get; huggingface_hub >= 1.20 with
 * hf_xet then fails the upload (it has no LFS fallback), and HF_HUB_DISABLE_XET=1 uploads over LFS.
 */
export async function xetWriteToken(ctx: RequestContext): Promise<void> {
  // As any write: a missing repo, or no right to write it, is said before what this hub lacks.
  hfRepoToChange(ctx);
  throw new HttpError(
    501,
    "This hub does not accept Xet uploads yet: upload over LFS (HF_HUB_DISABLE_XET=1 for huggingface_hub, useXet: false or the default negotiation for @huggingface/hub).",
    { code: "XetUploadUnsupported" },
  );
}

/** The repo a CAS request's bearer token reads, or 401. */
function tokenRepo(ctx: RequestContext) {
  const auth = ctx.req.headers.authorization ?? "";
  const claims = ctx.hub.xetTokens.verify(/^Bearer (.+)$/i.exec(auth)?.[1]);
  const meta = claims && ctx.hub.repos.getByObjectId(claims.r);
  if (!meta) throw new HttpError(401, "Missing, invalid or expired Xet token");
  return meta;
}

/**
 * `GET {cas}/v2/reconstructions/{fileId}` and the deprecated v1 (hf_xet falls back to it on 404).
 * A file id is answered only when its bytes are an LFS object of the token's repo (the same scope
 * that decides LFS uploads and copies): knowing a hash never reaches another repo's bytes.
 */
export async function reconstruction(ctx: RequestContext): Promise<void> {
  const meta = tokenRepo(ctx);
  const fileId = ctx.params.fileId!;
  if (!/^[0-9a-f]{64}$/.test(fileId)) throw new HttpError(400, "Malformed file id");
  const sha256 = ctx.hub.xet.blobOf(fileId);
  const layout = sha256 && (await ctx.hub.repos.lfs.has(meta, sha256)) && (await ctx.hub.xet.layout(sha256));
  if (!sha256 || !layout || !(await ctx.hub.blobs.stat(sha256))) throw new HttpError(404, "File not found");
  const range = ctx.req.headers.range ? parseFileRange(ctx.req.headers.range) : undefined;
  const urlFor = (xorb: number) =>
    ctx.hub.signer.sign(
      ctx.baseUrl,
      `/_hubferry/xet/xorbs/${sha256}/${xorb}/${layout.xorbs[xorb]!.hash}`,
      XORB_URL_TTL_SECONDS,
    );
  const body =
    ctx.params.v === "1" ? reconstructionV1(layout, range, urlFor) : reconstructionV2(layout, range, urlFor);
  if (!body) throw new HttpError(416, "Requested range starts at or past the end of the file");
  sendJson(ctx, 200, body);
}

/** `bytes=a-b` or `bytes=a-` (the reconstruction API takes one range, end inclusive). */
function parseFileRange(header: string): { start: number; end: number } {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m) throw new HttpError(400, "Malformed Range header: expected bytes=start-end");
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : Number.MAX_SAFE_INTEGER;
  if (end < start) throw new HttpError(416, "Range end before its start");
  return { start, end };
}

/**
 * `GET /_hubferry/xet/xorbs/{sha256}/{index}/{xorbHash}` (signed): xorb bytes built on demand from
 * the stored blob, each chunk behind its uncompressed header. Only single ranges are answered:
 * every fetch entry this hub hands out has one range (a xorb holds one contiguous run of a file).
 */
export async function xorbBytes(ctx: RequestContext): Promise<void> {
  if (!ctx.hub.signer.verify(ctx.url.pathname, ctx.url.searchParams)) {
    throw new HttpError(403, "Request has expired or its signature is invalid");
  }
  const sha256 = ctx.params.sha256!;
  const layout = await ctx.hub.xet.layout(sha256);
  const xorb = layout?.xorbs[Number(ctx.params.xorb)];
  if (!layout || !xorb || xorb.hash !== ctx.params.hash) throw new HttpError(404, "Xorb not found");
  // The layout outlives a blob deleted since (lfs-files delete, mirror prune): nothing to cut from.
  if (!(await ctx.hub.blobs.stat(sha256))) throw new HttpError(404, "Xorb not found");
  const offsets = xorbOffsets(layout, xorb);
  const total = offsets.at(-1)!;
  const range = parseRange(ctx.req.headers.range, total);
  if (range.kind === "unsatisfiable") {
    ctx.res.writeHead(416, { ...ctx.headers, "Content-Range": `bytes */${total}` });
    ctx.res.end();
    return;
  }
  const from = range.kind === "full" ? 0 : range.start;
  const to = range.kind === "full" ? total - 1 : range.end;
  ctx.res.writeHead(range.kind === "full" ? 200 : 206, {
    ...ctx.headers,
    "Content-Type": "application/octet-stream",
    "Content-Length": String(to - from + 1),
    "Accept-Ranges": "bytes",
    ...(range.kind === "full" ? {} : { "Content-Range": `bytes ${from}-${to}/${total}` }),
  });
  if (ctx.method === "HEAD") {
    ctx.res.end();
    return;
  }
  await writeXorbRange(ctx, sha256, layout, xorb.start, offsets, from, to);
}

/** Writes serialized xorb bytes `[from, to]`: headers made here, chunk data read from the blob. */
async function writeXorbRange(
  ctx: RequestContext,
  sha256: string,
  layout: XetLayout,
  firstChunk: number,
  offsets: number[],
  from: number,
  to: number,
): Promise<void> {
  let fileOffset = 0;
  for (let i = 0; i < firstChunk; i++) fileOffset += layout.chunkLengths[i]!;
  const fh = await ctx.hub.blobs.open(sha256);
  try {
    for (let i = 0; i + 1 < offsets.length; i++) {
      const len = layout.chunkLengths[firstChunk + i]!;
      const start = offsets[i]!;
      const end = offsets[i + 1]! - 1;
      if (end >= from && start <= to) {
        const piece = Buffer.alloc(CHUNK_HEADER_SIZE + len);
        Buffer.from(chunkHeader(len)).copy(piece, 0);
        await fh.read(piece, CHUNK_HEADER_SIZE, len, fileOffset);
        const part = piece.subarray(Math.max(from, start) - start, Math.min(to, end) - start + 1);
        if (!ctx.res.write(part)) await new Promise((r) => ctx.res.once("drain", r));
      }
      fileOffset += len;
      if (start > to) break;
    }
  } finally {
    await fh.close();
  }
  ctx.res.end();
}
