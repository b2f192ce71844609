import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { RequestContext } from "../http/context.js";
import { readJson, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { MultipartSession } from "../hub-state.js";
import { admitBody } from "./capacity.js";
import { checkSignature, grantObject, signedRepo } from "./lfs-transfer.js";
import { PartWriter } from "./part-writer.js";

/**
 * The parts of a multipart LFS upload (HF face): each `PUT` writes its part into the object's one
 * file at the part's offset while the upload's running sha256 follows the parts received in order;
 * completion checks that hash and renames the file into the blob store, reading nothing back.
 */

function session(ctx: RequestContext): MultipartSession {
  const s = ctx.hub.multipart.get(ctx.params.upload!);
  if (!s || s.sha256 !== ctx.params.oid || s.repo !== ctx.params.repo)
    throw new HttpError(404, "Unknown or expired multipart upload; request a new one from the LFS batch API");
  return s;
}

/** One attempt at part `n`: written in place; any earlier attempt at it is stopped first. */
async function writePart(s: MultipartSession, n: number, length: number, body: Readable): Promise<void> {
  if (s.completing) throw new HttpError(409, `Part ${n}: the upload is being completed`);
  s.parts.delete(n);
  const writer = new PartWriter(s.file, s.hash, n, length, s.writers.get(n));
  s.writers.set(n, writer);
  try {
    await pipeline(body, writer);
    if (writer.bytes !== length)
      throw new HttpError(400, `Part ${n} has ${writer.bytes} bytes; expected ${length}`);
  } finally {
    if (s.writers.get(n) === writer) s.writers.delete(n);
    await writer.settled();
  }
}

/** `PUT` of one part: written in place, answered with the `ETag` both clients require. */
export async function putPart(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const s = session(ctx);
  const n = Number(ctx.params.part);
  if (!Number.isInteger(n) || n < 1 || n > s.partCount)
    throw new HttpError(400, `Invalid part number ${ctx.params.part}`);
  const expectedSize = n < s.partCount ? s.chunkSize : s.size - s.chunkSize * (s.partCount - 1);
  const etag = await ctx.hub.multipart.use(s, async () => {
    const body = await admitBody(ctx, expectedSize, `part ${n}`);
    await writePart(s, n, expectedSize, body);
    if (!ctx.hub.multipart.get(s.id))
      throw new HttpError(404, "The multipart upload expired meanwhile; request a new one");
    // The ETag only has to come back unchanged at completion (the whole object is hashed), so it
    // is a fresh random tag rather than an MD5 that would cost a second pass over every part.
    const tag = `"${randomBytes(16).toString("hex")}"`;
    s.parts.set(n, { etag: tag });
    return tag;
  });
  ctx.res.writeHead(200, { ...ctx.headers, ETag: etag, "Content-Length": "0" });
  ctx.res.end();
}

const CompleteSchema = z.object({
  oid: z.string(),
  parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string() })),
});

/** Every part received whole, none being written, and each ETag given back as handed out. */
function checkParts(s: MultipartSession, given: z.infer<typeof CompleteSchema>["parts"]): void {
  const norm = (e: string) => e.replace(/^W\//, "").replace(/"/g, "");
  for (let n = 1; n <= s.partCount; n++) {
    const stored = s.parts.get(n);
    const tag = given.find((p) => p.partNumber === n);
    if (!stored || s.writers.has(n))
      throw new HttpError(400, `Part ${n} of ${s.partCount} was never uploaded`);
    if (!tag || norm(tag.etag) !== norm(stored.etag))
      throw new HttpError(400, `Part ${n}: ETag missing or different from the one returned at upload`);
  }
}

/** Completion: the running hash must match the oid; the object file then becomes the blob. */
export async function completeMultipart(ctx: RequestContext): Promise<void> {
  checkSignature(ctx);
  const s = session(ctx);
  const meta = signedRepo(ctx);
  // Busy from the start: the sweeper must not drop the parts while the body is read.
  await ctx.hub.multipart.use(s, async () => {
    const parsed = CompleteSchema.safeParse(await readJson(ctx));
    if (!parsed.success)
      throw new HttpError(400, `Invalid completion body: ${parsed.error.issues[0]?.message}`);
    if (s.completing) throw new HttpError(409, "This multipart upload is already being completed");
    checkParts(s, parsed.data.parts);
    // From here no part may start writing (checked in the same tick as the writers above).
    s.completing = true;
    try {
      const sha256 = await s.hash.digest();
      const blob = await ctx.hub.blobs.adoptFile(
        s.file,
        { sha256, size: s.size },
        { sha256: s.sha256, size: s.size },
      );
      await grantObject(ctx.hub, meta, blob);
    } finally {
      await ctx.hub.multipart.drop(s);
    }
  });
  sendJson(ctx, 200, {});
}
