import { z } from "zod";
import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { readMsJson } from "./ms-body.js";
import { msOk } from "./ms-envelope.js";
import { msRepo } from "./ms-repo-access.js";

const TagSchema = z.object({ TagName: z.string().min(1).max(255), Ref: z.string().min(1).nullish() });

/** `POST /api/v1/{models|datasets}/{owner}/{name}/repo/tag` `{TagName, Ref}` (both SDKs' create_tag). */
export async function createTag(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx, { write: true });
  const parsed = TagSchema.safeParse(await readMsJson(ctx, "small"));
  if (!parsed.success) throw new HttpError(400, "invalid tag request: TagName and Ref are required");
  const { TagName, Ref } = parsed.data;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(TagName) || TagName.includes(".."))
    throw new HttpError(400, `invalid tag name "${TagName}": use letters, digits, '.', '_' and '-'`);
  if (meta.tags[TagName]) throw new HttpError(400, `tag ${TagName} already exists`);
  meta.tags[TagName] = await ctx.hub.repos.resolveRevision(meta, Ref ?? meta.defaultBranch);
  await ctx.hub.repos.saveMeta(meta);
  msOk(ctx, { TagName, Ref: Ref ?? meta.defaultBranch, CommitId: meta.tags[TagName] });
}

/**
 * `DELETE /api/v1/{models|datasets}/{owner}/{name}`: only a write token of the owning namespace
 * (the owner, or a member of the owning organisation) may delete; others see it as missing.
 */
export async function deleteRepo(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx, { write: true });
  await ctx.hub.repos.delete(meta);
  msOk(ctx, null);
}
