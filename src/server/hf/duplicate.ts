import { z } from "zod";
import { type RequestContext, readJson, requireUser, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { type RepoMeta, TooManyCommits } from "../store/repo-store.js";
import { parseBody, repoTypeOf } from "./hf-body.js";
import { checkGated, hfRepo, hfRepoById, repoUrl } from "./hf-repo-access.js";
import { checkFree, checkMayCreate, createLock } from "./repo-admin.js";

/** Bodies here are a few ids and options (a duplicate) or at most MAX_FILES hashes (an LFS copy). */
const MAX_BODY = 1024 * 1024;
/** huggingface_hub sends 500 per request (DUPLICATE_LFS_BATCH_SIZE). */
const MAX_FILES = 1000;
/** A history this long is copied in one request; a longer one is refused rather than held. */
const MAX_COMMITS = 100_000;

const DuplicateSchema = z.object({
  repository: z.string().max(300),
  visibility: z.enum(["public", "private", "protected"]).nullish(),
  // Older clients sent `private`; Space options (hardware, secrets...) mean nothing without a runtime.
  private: z.boolean().nullish(),
});

function splitId(id: string): { namespace?: string; name: string } {
  const parts = id.split("/");
  if (parts.length > 2 || parts.some((p) => !p))
    throw new HttpError(400, `Invalid repo id "${id}": use namespace/name`);
  return parts.length === 2 ? { namespace: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

/**
 * `POST /api/{type}s/{id}/duplicate` `{repository, visibility}`: a new repo with the source's whole
 * history (every branch and tag, the same commit ids; pull requests stay behind, as discussions
 * do), copied inside the hub. The caller must see the source (and pass its gate) and may create
 * the target as `POST /api/repos/create` allows; a taken id is 409 with the existing repo's `url`.
 */
export async function duplicateRepo(ctx: RequestContext): Promise<void> {
  const who = requireUser(ctx, "duplicate a repository");
  const source = hfRepo(ctx);
  checkGated(ctx, source);
  const body = parseBody(DuplicateSchema, await readJson(ctx, MAX_BODY));
  const { namespace = who.user.name, name } = splitId(body.repository);
  const type = source.type;
  checkMayCreate(ctx, type, namespace, name);
  if (body.visibility === "protected" && type !== "space")
    throw new HttpError(400, "Only Spaces can be 'protected': use public or private");
  const isPrivate = body.visibility ? body.visibility !== "public" : (body.private ?? source.private);
  if (source.extra.mirror) await refuseUnfetched(ctx, source);
  await ctx.hub.repos.locks.run(createLock(type, namespace, name), async () => {
    checkFree(ctx, type, namespace, name);
    const key = { face: "hf" as const, type, namespace, name };
    const opts = { private: isPrivate, sdk: source.sdk, license: source.license };
    const meta = await ctx.hub.repos.createCopy(key, opts, source, MAX_COMMITS).catch((err) => {
      if (err instanceof TooManyCommits)
        throw new HttpError(
          413,
          `${source.namespace}/${source.name} has more than ${MAX_COMMITS} commits: too many to duplicate here`,
        );
      throw err;
    });
    sendJson(ctx, 200, { url: repoUrl(ctx, meta), filesCopyPending: false });
  });
}

/**
 * A mirrored repo's LFS files come from upstream on their first download: a copy made here before
 * they did would hold entries with no bytes and no upstream to fetch them from. Refused, so that
 * clients copy by streaming (which fetches them); hubferry migrate does so on its own.
 */
async function refuseUnfetched(ctx: RequestContext, source: RepoMeta): Promise<void> {
  for (const sha of await ctx.hub.repos.lfs.all(source)) {
    if (await ctx.hub.blobs.stat(sha)) continue;
    throw new HttpError(
      409,
      `${source.namespace}/${source.name} is mirrored and not all its files have been fetched from upstream yet, so this hub cannot copy it by itself; copy it by streaming (download and upload; hubferry migrate falls back to that on its own)`,
    );
  }
}

const LfsDuplicateSchema = z.object({
  target: z.object({ type: z.string().nullish(), name: z.string().max(300) }),
  files: z
    .array(
      z.object({
        sha256: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, "an LFS oid is 64 hex digits")
          .transform((s) => s.toLowerCase()),
        // The real hub copies Xet objects; this one has none, so the hash is not needed.
        xetHash: z.string().max(200).nullish(),
        filename: z.string().max(4096).nullish(),
      }),
    )
    .max(MAX_FILES),
});

/**
 * `POST /api/{type}s/{id}/lfs-files/duplicate` `{target:{type,name}, files:[{sha256,...}]}`: the
 * LFS objects named are the target's from now on, so its next commit may reference them by oid
 * without uploading them. Read on the source (and its gate), write on the target. Only objects in
 * the source's history count (an upload it never committed does not): each other oid comes back
 * in `failed`, which huggingface_hub raises as FileDuplicationError.
 */
export async function duplicateLfsFiles(ctx: RequestContext): Promise<void> {
  requireUser(ctx, "copy LFS files");
  const source = hfRepo(ctx);
  checkGated(ctx, source);
  const body = parseBody(LfsDuplicateSchema, await readJson(ctx, MAX_BODY));
  const id = splitId(body.target.name);
  if (!id.namespace)
    throw new HttpError(400, `Invalid target repo id "${body.target.name}": use namespace/name`);
  const target = hfRepoById(ctx, repoTypeOf(body.target.type), id.namespace, id.name, { write: true });
  const wanted = new Set(body.files.map((f) => f.sha256));
  const found = await committedLfs(ctx, source, wanted);
  const failed = [...wanted]
    .filter((sha) => !found.has(sha))
    .map((sha) => ({
      sha256: sha,
      error: `LFS object ${sha} is not in the history of ${source.type}s/${source.namespace}/${source.name}`,
    }));
  await ctx.hub.repos.lfs.grant(target, found);
  sendJson(ctx, 200, { failed });
}

/** Which of `wanted` some commit of the repo holds, stopping as soon as all are found. */
async function committedLfs(ctx: RequestContext, meta: RepoMeta, wanted: Set<string>): Promise<Set<string>> {
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  const heads = [
    ...Object.values(meta.branches),
    ...Object.values(meta.tags),
    ...Object.values(meta.pullRequests),
  ];
  try {
    for await (const c of ctx.hub.repos.reachable(meta, heads, MAX_COMMITS)) {
      for (const f of Object.values(c.files)) if (f.lfs && wanted.has(f.sha256)) found.add(f.sha256);
      if (found.size === wanted.size) break;
    }
  } catch (err) {
    if (!(err instanceof TooManyCommits)) throw err;
  }
  const present = new Set<string>();
  for (const sha of found) if (await ctx.hub.blobs.stat(sha)) present.add(sha);
  return present;
}
