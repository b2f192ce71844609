import { z } from "zod";
import { refNameProblem } from "../hf/hf-body.js";
import type { RequestContext } from "../http/context.js";
import { slowCommit } from "../http/faults.js";
import { HttpError } from "../http/http-error.js";
import { admitBody, checkCapacity } from "../lfs/capacity.js";
import { grantObject, repoHasObject, validateObject } from "../lfs/lfs-transfer.js";
import { lfsEntry, storeRegular } from "../store/file-entry.js";
import { repoPathProblem } from "../store/repo-path.js";
import { type CommitOp, EntryNotFound, PathConflict, type RepoMeta } from "../store/repo-store.js";
import { readMsJson } from "./ms-body.js";
import { MS_CODES, msOk } from "./ms-envelope.js";
import { msRepo } from "./ms-repo-access.js";

const BatchSchema = z.object({
  operation: z.string().optional(),
  objects: z.array(z.object({ oid: z.string(), size: z.coerce.number() })),
});

/**
 * `POST /api/v1/repos/{type}s/{o}/{n}/info/lfs/objects/batch`: objects this repo already has are
 * omitted (the SDKs treat a missing oid as "exists"; bytes held for another repo do not count);
 * the others get an absolute blob PUT href, or the whole batch a 413/507 when the hub cannot take one.
 */
export async function msLfsBatch(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx, { write: true });
  const parsed = BatchSchema.safeParse(await readMsJson(ctx, "lfsBatch"));
  if (!parsed.success)
    throw new HttpError(400, `invalid LFS batch request: ${parsed.error.issues[0]?.message}`);
  const objects: Record<string, unknown>[] = [];
  for (const o of parsed.data.objects) {
    const invalid = validateObject(o);
    if (invalid) throw new HttpError(400, invalid);
    if (await repoHasObject(ctx.hub, meta, o)) continue;
    await checkCapacity(ctx.hub, o.size);
    const href = `${ctx.baseUrl}/api/v1/repos/${meta.type}s/${meta.namespace}/${meta.name}/blobs/${o.oid}/${o.size}`;
    objects.push({
      oid: o.oid,
      size: o.size,
      actions: { upload: { href, offset: 0, upload_header: { Range: "bytes=0-" }, upload_parameters: {} } },
    });
  }
  msOk(ctx, { objects, "reused-objects": [] });
}

/** The blob PUT: Content-Length or chunked; the body must hash to the oid and have the size in the URL. */
export async function msPutBlob(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx, { write: true });
  const expected = { sha256: ctx.params.oid!, size: Number(ctx.params.size) };
  const invalid = validateObject({ oid: expected.sha256, size: expected.size });
  if (invalid) throw new HttpError(400, invalid);
  const body = await admitBody(ctx, expected.size, `blob ${expected.sha256}`);
  await grantObject(ctx.hub, meta, await ctx.hub.blobs.putStream(body, expected));
  msOk(ctx, {});
}

const ActionSchema = z.object({
  action: z.enum(["create", "update", "delete"]),
  path: z.string(),
  type: z.enum(["normal", "lfs"]).optional(),
  size: z.coerce.number().optional(),
  sha256: z.string().optional(),
  content: z.string().optional(),
  encoding: z.string().optional(),
});

/** The site's ceiling, quoted by modelscope-hub (`COMMIT_MAX_ACTIONS_PER_REQUEST`), which splits to it. */
const MAX_COMMIT_ACTIONS = 2000;

const CommitSchema = z.object({
  commit_message: z.string().optional(),
  commit_description: z.string().optional(),
  actions: z.array(ActionSchema).min(1),
});

/**
 * Commits go to a branch: an existing one, or a new one the commit creates. A tag, a commit id
 * or a name git refuses cannot become one.
 */
function checkCommitBranch(meta: RepoMeta, branch: string): void {
  if (meta.branches[branch]) return;
  if (meta.tags[branch])
    throw new HttpError(400, `revision ${branch} is a tag; commit to a branch (e.g. ${meta.defaultBranch})`);
  if (/^[0-9a-f]{40}$/.test(branch))
    throw new HttpError(
      400,
      `revision ${branch} is a commit id; commit to a branch (e.g. ${meta.defaultBranch})`,
    );
  const problem = refNameProblem(branch);
  if (problem) throw new HttpError(400, `invalid branch name "${branch}": ${problem}`);
}

/**
 * `POST /api/v1/repos/{type}s/{o}/{n}/commit/{branch}`. One commit at a time per repo: a second
 * concurrent commit gets the real site's 429 "commit lock busy, please try again", which both
 * SDKs retry. Deleting a path that does not exist rejects the whole commit, as the site does.
 * A branch that does not exist yet is created from the default branch's head (the new SDK has
 * no branch-create call: `upload_file(..., revision="new")` just commits there).
 */
export async function msCommit(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx, { write: true });
  await checkCapacity(ctx.hub, 0);
  const parsed = CommitSchema.safeParse(await readMsJson(ctx, "commit"));
  if (!parsed.success)
    throw new HttpError(
      400,
      `invalid commit: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
    );
  if (parsed.data.actions.length > MAX_COMMIT_ACTIONS)
    throw new HttpError(
      422,
      `commit request exceeds actions limit: ${parsed.data.actions.length} > ${MAX_COMMIT_ACTIONS}; split the commit into smaller batches`,
    );
  const branch = ctx.params.rev!;
  checkCommitBranch(meta, branch);
  const ops: CommitOp[] = [];
  for (const a of parsed.data.actions) {
    const path = a.path.replace(/^\.\//, "");
    const problem = repoPathProblem(path);
    if (problem) throw new HttpError(400, `invalid path: ${problem}`);
    if (a.action === "delete") {
      ops.push({ kind: "delete", path });
    } else if (a.type === "lfs") {
      const blob = a.sha256 ? await ctx.hub.blobs.stat(a.sha256) : null;
      const ours = blob && (await ctx.hub.repos.lfs.has(meta, blob.sha256));
      if (!blob || !ours || (a.size !== undefined && a.size !== blob.size)) {
        throw new HttpError(
          400,
          `lfs object for ${path} (sha256 ${a.sha256 || "missing"}) was not uploaded to this repository; upload the blob first`,
        );
      }
      ops.push({ kind: "add", path, entry: lfsEntry(blob) });
    } else {
      const content = Buffer.from(a.content ?? "", a.encoding === "base64" ? "base64" : "utf8");
      const entry = await storeRegular(ctx.hub.blobs, content);
      if (a.sha256 && a.sha256 !== entry.sha256)
        throw new HttpError(400, `content of ${path} does not match its sha256`);
      ops.push({ kind: "add", path, entry });
    }
  }
  const lockKey = `commit:${meta.face}:${meta.type}:${meta.namespace}/${meta.name}`;
  if (ctx.hub.repos.locks.isLocked(lockKey)) {
    throw new HttpError(429, "commit lock busy, please try again", {
      code: String(MS_CODES.commitLockBusy),
      headers: { "Retry-After": "1" },
    });
  }
  const commit = await ctx.hub.repos.locks.run(lockKey, async () => {
    await slowCommit(ctx.hub.faults, ctx.method, ctx.route, ctx.url.pathname);
    try {
      return await ctx.hub.repos.commit(meta, {
        branch,
        title: parsed.data.commit_message ?? "Upload files",
        description: parsed.data.commit_description ?? "",
        author: ctx.who!.user.name,
        ops,
        // As the site: a commit to a branch that does not exist yet creates it from the default branch.
        startFrom: meta.branches[meta.defaultBranch],
      });
    } catch (err) {
      if (err instanceof EntryNotFound || err instanceof PathConflict) {
        throw new HttpError(400, `commit rejected by repository policy: ${(err as Error).message}`);
      }
      throw err;
    }
  });
  msOk(ctx, { oid: commit.id, CommitId: commit.id });
}
