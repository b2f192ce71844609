import { z } from "zod";
import type { RequestContext } from "../http/context.js";
import { readJson, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { HubState } from "../hub-state.js";
import { isSha256, type StoredBlob } from "../store/blob-store.js";
import type { RepoMeta } from "../store/repo-store.js";
import { admitBody, capacityProblem } from "./capacity.js";

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

export function checkSignature(ctx: RequestContext): void {
  if (!ctx.hub.signer.verify(ctx.url.pathname, ctx.url.searchParams)) {
    throw new HttpError(403, "Request has expired or its signature is invalid");
  }
}

function target(ctx: RequestContext): { sha256: string; size: number } {
  return { sha256: ctx.params.oid!, size: Number(ctx.params.size) };
}

/** The repo a signed URL was issued for (it may have been deleted since). */
export function signedRepo(ctx: RequestContext): RepoMeta {
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

/** What git-lfs posts to a verify action; both fields default to the signed URL's own. */
const VerifyBody = z
  .object({ oid: z.string().optional(), size: z.number().int().nonnegative().optional() })
  .nullable();

/** `verify`: 200 when the repo has the object with the announced size. */
export async function verifyObject(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const meta = signedRepo(ctx);
  const expected = target(ctx);
  const parsed = VerifyBody.safeParse(await readJson(ctx));
  if (!parsed.success)
    throw new HttpError(400, 'The verify body must be JSON {"oid": "<sha256>", "size": <bytes>} (or empty)');
  const o = { oid: parsed.data?.oid ?? expected.sha256, size: parsed.data?.size ?? expected.size };
  if (!(await repoHasObject(ctx.hub, meta, o))) throw new HttpError(404, `Object ${o.oid} not found`);
  sendJson(ctx, 200, { message: "Object verified" });
}
