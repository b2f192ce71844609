import { z } from "zod";
import { bearerToken, readCookie, SESSION_COOKIE } from "../auth/credentials.js";
import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { repoPathProblem } from "../store/repo-path.js";
import { EntryNotFound } from "../store/repo-store.js";
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

/**
 * The site's direct file deletion: `DELETE /api/v1/models/{o}/{n}/file?FilePath=&Revision=` and
 * `DELETE /api/v1/datasets/{o}/{n}/repo?FilePath=` (modelscope 1.37 `HubApi.delete_files`). The
 * site answers these only for a login session (the `m_session_id` cookie `POST /api/v1/login`
 * sets); an API token, as a Bearer header or as the raw token in the cookie, is refused with 401
 * (modelscope-hub's `delete_files` says so and commits delete actions instead, as hubferry does).
 */
export async function deleteFile(ctx: RequestContext): Promise<void> {
  ctx.req.resume();
  const secrets = [bearerToken(ctx.req), readCookie(ctx.req, SESSION_COOKIE)];
  const session = secrets.some((s) => s !== undefined && ctx.hub.sessions.lookup(s) !== undefined);
  if (ctx.who && !session)
    throw new HttpError(
      401,
      "API token authentication is not supported for this endpoint; log in (POST /api/v1/login) or delete through a commit",
    );
  const meta = msRepo(ctx, { write: true });
  const path = (ctx.url.searchParams.get("FilePath") ?? "").replace(/^\.\//, "");
  const problem = repoPathProblem(path);
  if (problem) throw new HttpError(400, `invalid FilePath: ${problem}`);
  const branch = ctx.url.searchParams.get("Revision") || meta.defaultBranch;
  if (!meta.branches[branch])
    throw new HttpError(404, `revision ${branch} is not a branch of this repository`);
  const lockKey = `commit:${meta.face}:${meta.type}:${meta.namespace}/${meta.name}`;
  if (ctx.hub.repos.locks.isLocked(lockKey))
    throw new HttpError(429, "commit lock busy, please try again", { headers: { "Retry-After": "1" } });
  const commit = await ctx.hub.repos.locks.run(lockKey, async () => {
    try {
      return await ctx.hub.repos.commit(meta, {
        branch,
        title: `Delete ${path}`,
        description: "",
        author: ctx.who!.user.name,
        ops: [{ kind: "delete", path }],
      });
    } catch (err) {
      if (err instanceof EntryNotFound) throw new HttpError(404, `file ${path} does not exist`);
      throw err;
    }
  });
  msOk(ctx, { CommitId: commit.id });
}
