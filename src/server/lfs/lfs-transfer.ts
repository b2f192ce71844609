import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { RequestContext } from "../http/context.js";
import { readJson, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { HubState, MultipartSession } from "../hub-state.js";
import { isSha256, type StoredBlob } from "../store/blob-store.js";
import type { RepoMeta } from "../store/repo-store.js";
import { admitBody, capacityProblem, checkCapacity } from "./capacity.js";

/**
 * The byte side of LFS uploads, shared by both faces: signed URLs that accept a whole object
 * (basic) or its parts (multipart), hash what arrives and only then admit it to the blob store.
 */

export interface LfsObjectRequest {
  oid: string;
  size: number;
}

export interface UploadPlan {
  kind: "present" | "basic" | "multipart" | "refused";
  actions?: Record<string, { href: string; header?: Record<string, string>; expires_in?: number }>;
  error?: { code: number; message: string };
}

export function validateObject(o: LfsObjectRequest): string | undefined {
  if (!isSha256(o.oid))
    return `invalid oid "${String(o.oid).slice(0, 80)}": expected 64 lowercase hex characters (sha256)`;
  if (!Number.isSafeInteger(o.size) || o.size < 0) return `invalid size for ${o.oid}`;
  return undefined;
}

/**
 * Whether `meta` already has this object: stored, of that size, and uploaded for this repo or in
 * its history. Another repo holding the same bytes does not count (knowing a hash is no access).
 */
export async function repoHasObject(hub: HubState, meta: RepoMeta, o: LfsObjectRequest): Promise<boolean> {
  const blob = await hub.blobs.stat(o.oid);
  return !!blob && blob.size === o.size && (await hub.repos.lfs.has(meta, o.oid));
}

/** An object this upload just stored becomes the repo's to reference. */
export async function grantObject(hub: HubState, meta: RepoMeta, blob: StoredBlob): Promise<void> {
  await hub.repos.lfs.grant(meta, [blob.sha256]);
}

/** Decides how one object is to be uploaded into `meta` and hands out the signed URLs for it. */
export async function planUpload(
  ctx: RequestContext,
  meta: RepoMeta,
  o: LfsObjectRequest,
  allowMultipart: boolean,
): Promise<UploadPlan> {
  const hub = ctx.hub;
  if (await repoHasObject(hub, meta, o)) return { kind: "present" };
  const refusal = await capacityProblem(hub, o.size);
  if (refusal) return { kind: "refused", error: { code: refusal.status, message: refusal.message } };
  const base = `/_hubferry/lfs/${meta.objectId}/${o.oid}/${o.size}`;
  const verify = { href: hub.signer.sign(ctx.baseUrl, `${base}/verify`), header: {} };
  if (allowMultipart && o.size >= hub.options.multipartThreshold) {
    const chunkSize = Math.max(hub.options.multipartChunkSize, Math.ceil(o.size / 10_000));
    const session = await hub.multipart.open({
      repo: meta.objectId,
      sha256: o.oid,
      size: o.size,
      chunkSize,
      partCount: Math.max(1, Math.ceil(o.size / chunkSize)),
    });
    const header: Record<string, string> = { chunk_size: String(chunkSize) };
    for (let n = 1; n <= session.partCount; n++) {
      header[String(n).padStart(5, "0")] = hub.signer.sign(
        ctx.baseUrl,
        `${base}/multipart/${session.id}/${n}`,
      );
    }
    return {
      kind: "multipart",
      actions: {
        upload: {
          href: hub.signer.sign(ctx.baseUrl, `${base}/multipart/${session.id}/complete`),
          header,
          expires_in: 3600,
        },
        verify,
      },
    };
  }
  return {
    kind: "basic",
    actions: { upload: { href: hub.signer.sign(ctx.baseUrl, base), expires_in: 3600 }, verify },
  };
}

function checkSignature(ctx: RequestContext): void {
  if (!ctx.hub.signer.verify(ctx.url.pathname, ctx.url.searchParams)) {
    throw new HttpError(403, "Request has expired or its signature is invalid");
  }
}

function target(ctx: RequestContext): { sha256: string; size: number } {
  return { sha256: ctx.params.oid!, size: Number(ctx.params.size) };
}

/** The repo a signed URL was issued for (it may have been deleted since). */
function signedRepo(ctx: RequestContext): RepoMeta {
  const meta = ctx.hub.repos.getByObjectId(ctx.params.repo!);
  if (!meta) throw new HttpError(404, "The repository this upload was issued for no longer exists");
  return meta;
}

/** `PUT` of a whole object (basic transfer): Content-Length or chunked bodies alike. */
export async function putObject(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const meta = signedRepo(ctx);
  const expected = target(ctx);
  const body = await admitBody(ctx, expected.size, `object ${expected.sha256}`);
  await grantObject(ctx.hub, meta, await ctx.hub.blobs.putStream(body, expected));
  sendJson(ctx, 200, {});
}

function session(ctx: RequestContext): MultipartSession {
  const s = ctx.hub.multipart.get(ctx.params.upload!);
  if (!s || s.sha256 !== ctx.params.oid || s.repo !== ctx.params.repo)
    throw new HttpError(404, "Unknown or expired multipart upload; request a new one from the LFS batch API");
  return s;
}

/** `PUT` of one part: stored aside, answered with the `ETag` both clients require. */
export async function putPart(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const s = session(ctx);
  const n = Number(ctx.params.part);
  if (!Number.isInteger(n) || n < 1 || n > s.partCount)
    throw new HttpError(400, `Invalid part number ${ctx.params.part}`);
  const expectedSize = n < s.partCount ? s.chunkSize : s.size - s.chunkSize * (s.partCount - 1);
  const etag = await ctx.hub.multipart.use(s, async () => {
    const body = await admitBody(ctx, expectedSize, `part ${n}`);
    const file = join(s.dir, `part-${n}.${randomBytes(4).toString("hex")}`);
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
    });
    try {
      await pipeline(body, createWriteStream(file));
      if (size !== expectedSize)
        throw new HttpError(400, `Part ${n} has ${size} bytes; expected ${expectedSize}`);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    if (!ctx.hub.multipart.get(s.id)) {
      await rm(file, { force: true });
      throw new HttpError(404, "The multipart upload expired meanwhile; request a new one");
    }
    // The ETag only has to come back unchanged at completion (the whole object is hashed then), so
    // it is a fresh random tag rather than an MD5 that would cost a second pass over every part.
    const tag = `"${randomBytes(16).toString("hex")}"`;
    const previous = s.parts.get(n);
    s.parts.set(n, { file, etag: tag });
    if (previous) await rm(previous.file, { force: true });
    return tag;
  });
  ctx.res.writeHead(200, { ...ctx.headers, ETag: etag, "Content-Length": "0" });
  ctx.res.end();
}

const CompleteSchema = z.object({
  oid: z.string(),
  parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string() })),
});

/** Completion: every part present with its ETag, then the whole is hashed before it is admitted. */
export async function completeMultipart(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const s = session(ctx);
  const meta = signedRepo(ctx);
  // Busy from the start: the sweeper must not drop the parts while the body is read.
  await ctx.hub.multipart.use(s, async () => {
    const parsed = CompleteSchema.safeParse(await readJson(ctx));
    if (!parsed.success)
      throw new HttpError(400, `Invalid completion body: ${parsed.error.issues[0]?.message}`);
    const norm = (e: string) => e.replace(/^W\//, "").replace(/"/g, "");
    const files: string[] = [];
    for (let n = 1; n <= s.partCount; n++) {
      const stored = s.parts.get(n);
      const given = parsed.data.parts.find((p) => p.partNumber === n);
      if (!stored) throw new HttpError(400, `Part ${n} of ${s.partCount} was never uploaded`);
      if (!given || norm(given.etag) !== norm(stored.etag))
        throw new HttpError(400, `Part ${n}: ETag missing or different from the one returned at upload`);
      files.push(stored.file);
    }
    // The whole object is written once more from its parts: that needs room too.
    await checkCapacity(ctx.hub, s.size);
    try {
      const blob = await ctx.hub.blobs.putConcatenation(files, { sha256: s.sha256, size: s.size });
      await grantObject(ctx.hub, meta, blob);
    } finally {
      await ctx.hub.multipart.drop(s);
    }
  });
  sendJson(ctx, 200, {});
}

/** `verify`: 200 when the repo has the object with the announced size. */
export async function verifyObject(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const meta = signedRepo(ctx);
  const expected = target(ctx);
  const body = (await readJson(ctx)) as { oid?: string; size?: number } | null;
  const o = { oid: body?.oid ?? expected.sha256, size: body?.size ?? expected.size };
  if (!(await repoHasObject(ctx.hub, meta, o))) throw new HttpError(404, `Object ${o.oid} not found`);
  sendJson(ctx, 200, { message: "Object verified" });
}
