import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { RequestContext } from "../http/context.js";
import { readJson, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { HubState, MultipartSession } from "../hub-state.js";
import { isSha256 } from "../store/blob-store.js";

/**
 * The byte side of LFS uploads, shared by both faces: signed URLs that accept a whole object
 * (basic) or its parts (multipart), hash what arrives and only then admit it to the blob store.
 */

export interface LfsObjectRequest {
  oid: string;
  size: number;
}

export interface UploadPlan {
  kind: "present" | "basic" | "multipart";
  actions?: Record<string, { href: string; header?: Record<string, string>; expires_in?: number }>;
}

export function validateObject(o: LfsObjectRequest): string | undefined {
  if (!isSha256(o.oid))
    return `invalid oid "${String(o.oid).slice(0, 80)}": expected 64 lowercase hex characters (sha256)`;
  if (!Number.isSafeInteger(o.size) || o.size < 0) return `invalid size for ${o.oid}`;
  return undefined;
}

/** Decides how one object is to be uploaded and hands out the signed URLs for it. */
export async function planUpload(
  ctx: RequestContext,
  o: LfsObjectRequest,
  allowMultipart: boolean,
): Promise<UploadPlan> {
  const hub = ctx.hub;
  const existing = await hub.blobs.stat(o.oid);
  if (existing && existing.size === o.size) return { kind: "present" };
  const base = `/_hubferry/lfs/${o.oid}/${o.size}`;
  const verify = { href: hub.signer.sign(ctx.baseUrl, `${base}/verify`), header: {} };
  if (allowMultipart && o.size >= hub.options.multipartThreshold) {
    const chunkSize = Math.max(hub.options.multipartChunkSize, Math.ceil(o.size / 10_000));
    const session = await openMultipart(hub, o, chunkSize);
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

async function openMultipart(
  hub: HubState,
  o: LfsObjectRequest,
  chunkSize: number,
): Promise<MultipartSession> {
  const id = randomBytes(12).toString("hex");
  const dir = join(hub.root, "tmp", `multipart-${id}`);
  await mkdir(dir, { recursive: true });
  const session: MultipartSession = {
    id,
    sha256: o.oid,
    size: o.size,
    chunkSize,
    partCount: Math.max(1, Math.ceil(o.size / chunkSize)),
    dir,
    parts: new Map(),
  };
  hub.multipart.set(id, session);
  return session;
}

function checkSignature(ctx: RequestContext): void {
  if (!ctx.hub.signer.verify(ctx.url.pathname, ctx.url.searchParams)) {
    throw new HttpError(403, "Request has expired or its signature is invalid");
  }
}

function target(ctx: RequestContext): { sha256: string; size: number } {
  return { sha256: ctx.params.oid!, size: Number(ctx.params.size) };
}

/** `PUT` of a whole object (basic transfer): Content-Length or chunked bodies alike. */
export async function putObject(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const expected = target(ctx);
  await ctx.hub.blobs.putStream(ctx.req, expected);
  sendJson(ctx, 200, {});
}

function session(ctx: RequestContext): MultipartSession {
  const s = ctx.hub.multipart.get(ctx.params.upload!);
  if (!s || s.sha256 !== ctx.params.oid)
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
  const file = join(s.dir, `part-${n}`);
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, done) {
      size += chunk.byteLength;
      done(null, chunk);
    },
  });
  await pipeline(ctx.req, tap, createWriteStream(file));
  const expectedSize = n < s.partCount ? s.chunkSize : s.size - s.chunkSize * (s.partCount - 1);
  if (size !== expectedSize) {
    await rm(file, { force: true });
    throw new HttpError(400, `Part ${n} has ${size} bytes; expected ${expectedSize}`);
  }
  // The ETag only has to come back unchanged at completion (the whole object is hashed then), so
  // it is a fresh random tag rather than an MD5 that would cost a second pass over every part.
  const etag = `"${randomBytes(16).toString("hex")}"`;
  s.parts.set(n, { file, etag });
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
  try {
    await ctx.hub.blobs.putConcatenation(files, { sha256: s.sha256, size: s.size });
  } finally {
    ctx.hub.multipart.delete(s.id);
    await rm(s.dir, { recursive: true, force: true });
  }
  sendJson(ctx, 200, {});
}

/** `verify`: 200 when the object is stored with the announced size. */
export async function verifyObject(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const expected = target(ctx);
  const body = (await readJson(ctx)) as { oid?: string; size?: number } | null;
  const oid = body?.oid ?? expected.sha256;
  const blob = await ctx.hub.blobs.stat(oid);
  if (!blob || blob.size !== (body?.size ?? expected.size))
    throw new HttpError(404, `Object ${oid} not found`);
  sendJson(ctx, 200, { message: "Object verified" });
}
