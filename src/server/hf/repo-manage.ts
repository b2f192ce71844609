import { z } from "zod";
import type { RepoType } from "../../core/repo-type.js";
import { canReadRepo } from "../auth/can-read-repo.js";
import { canReadPrivate, canWrite } from "../auth/users.js";
import { type RequestContext, readJson, requireUser, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { paginate } from "../http/paginate.js";
import { RevisionNotFound } from "../store/repo-store.js";
import { commitLock, parseBody, repoTypeOf } from "./hf-body.js";
import { repoNotFound } from "./hf-errors.js";
import { checkGated, findHfRepo, hfRepo } from "./hf-repo-access.js";
import { createLock, REPO_NAME_RE } from "./repo-admin.js";

/** `GET /api/{type}s/{id}/auth-check[/write]`: 200, RepoNotFound (401/404), GatedRepo (401/403). */
export async function authCheck(ctx: RequestContext): Promise<void> {
  const write = ctx.params.write === "/write";
  const meta = hfRepo(ctx, { write });
  checkGated(ctx, meta);
  sendJson(ctx, 200, { success: true });
}

const MoveSchema = z.object({ fromRepo: z.string(), toRepo: z.string(), type: z.string().nullish() });

function splitId(id: string): [string, string] {
  const parts = id.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new HttpError(400, `Invalid repo id "${id}": use namespace/name`);
  return [parts[0], parts[1]];
}

/**
 * `POST /api/repos/move` `{fromRepo,toRepo,type}`: renames or transfers (the caller must write to
 * both namespaces). The old id keeps resolving to the moved repo, as redirects do on the real hub.
 */
export async function moveRepo(ctx: RequestContext): Promise<void> {
  requireUser(ctx, "move a repository");
  const body = parseBody(MoveSchema, await readJson(ctx));
  const type: RepoType = repoTypeOf(body.type);
  const [fromNs, fromName] = splitId(body.fromRepo);
  const [toNs, toName] = splitId(body.toRepo);
  if (!REPO_NAME_RE.test(toName)) throw new HttpError(400, `Invalid repo name "${toName}"`);
  const meta = findHfRepo(ctx, type, fromNs, fromName);
  if (!meta || (meta.private && !canReadRepo(ctx.who, meta))) throw repoNotFound(ctx);
  if (!canWrite(ctx.who, meta.namespace) || !canWrite(ctx.who, toNs)) {
    throw new HttpError(403, `You don't have the rights to move ${body.fromRepo} to ${body.toRepo}`);
  }
  await ctx.hub.repos.locks.run(createLock(type, toNs, toName), async () => {
    const target = findHfRepo(ctx, type, toNs, toName);
    if (target && target !== meta) {
      throw new HttpError(409, `You already created this ${type} repo: ${body.toRepo}`);
    }
    const formerIds = [...((meta.extra.formerIds as string[] | undefined) ?? []), body.fromRepo];
    const moved = await ctx.hub.repos.rename(meta, { face: "hf", type, namespace: toNs, name: toName });
    moved.extra = { ...moved.extra, formerIds };
    await ctx.hub.repos.saveMeta(moved);
  });
  sendJson(ctx, 200, {});
}

/** `DELETE /api/{type}s/{id}/tag/{tag}`. */
export async function deleteTag(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const tag = ctx.params.ref!.replace(/^refs\/tags\//, "");
  if (!meta.tags[tag]) throw new RevisionNotFound(`Invalid rev id: ${tag}`);
  delete meta.tags[tag];
  await ctx.hub.repos.saveMeta(meta);
  sendJson(ctx, 200, {});
}

/** `POST /api/{type}s/{id}/super-squash/{branch}` `{message}`: the branch becomes one root commit. */
export async function superSquash(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const body = parseBody(z.object({ message: z.string().nullish() }).nullable(), await readJson(ctx));
  const branch = ctx.params.ref!.replace(/^refs\/heads\//, "");
  await ctx.hub.repos.locks.run(commitLock(meta), async () => {
    if (!meta.branches[branch]) throw new RevisionNotFound(`Invalid rev id: ${branch}`);
    const head = await ctx.hub.repos.commitAt(meta, branch);
    const commit = await ctx.hub.repos.writeCommit(meta, {
      parents: [],
      title: body?.message || `Super-squash branch '${branch}'`,
      description: "",
      author: ctx.who!.user.name,
      files: head.files,
    });
    meta.branches[branch] = commit.id;
    await ctx.hub.repos.saveMeta(meta);
    sendJson(ctx, 200, { commitId: commit.id });
  });
}

/**
 * `GET /api/settings/repositories` and `/api/organizations/{org}/settings/repositories`: every
 * repo of the namespace with its storage (the bytes of its default branch), for `list_user_repos`.
 */
export async function listNamespaceRepos(ctx: RequestContext): Promise<void> {
  const who = requireUser(ctx, "list your repositories");
  const namespace = ctx.params.org ?? who.user.name;
  if (!canReadPrivate(who, namespace)) throw new HttpError(403, `You are not a member of "${namespace}"`);
  const metas = (["model", "dataset", "space"] as const)
    .flatMap((t) => ctx.hub.repos.all("hf", t))
    .filter((m) => m.namespace === namespace);
  const items = [];
  for (const m of metas) {
    const head = await ctx.hub.repos.commitAt(m, m.defaultBranch);
    const storage = Object.values(head.files).reduce((n, f) => n + f.size, 0);
    items.push({
      id: `${m.namespace}/${m.name}`,
      type: m.type,
      updatedAt: head.date,
      visibility: m.private ? "private" : "public",
      storage,
      storagePercent: 0,
    });
  }
  const { page, headers } = paginate(ctx, items, 100);
  sendJson(ctx, 200, page, headers);
}
