import { z } from "zod";
import { type RequestContext, readJson, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { planUpload, validateObject } from "../lfs/lfs-transfer.js";
import { LfsPatterns } from "../store/gitattributes.js";
import type { Commit, RepoMeta } from "../store/repo-store.js";
import { gitIgnoredAt } from "./gitignore.js";
import { branchName, checkMayWriteRef, hfRepo, hfRepoToChange } from "./hf-repo-access.js";
import { inlineFileLimit } from "./ndjson-lines.js";

const PreuploadSchema = z.object({
  files: z.array(
    z.object({ path: z.string(), size: z.number().int().min(0), sample: z.string().optional() }),
  ),
  gitAttributes: z.string().optional(),
  gitIgnore: z.string().optional(),
});

export async function lfsPatternsAt(
  ctx: RequestContext,
  commit: Commit,
  override?: string,
): Promise<LfsPatterns> {
  if (override !== undefined) return new LfsPatterns(override);
  const ga = commit.files[".gitattributes"];
  return new LfsPatterns(ga ? (await ctx.hub.blobs.readAll(ga.sha256)).toString("utf8") : "");
}

/**
 * `POST /api/{type}s/{id}/preupload/{rev}`: the server decides which files go to LFS —
 * .gitattributes patterns, size, or a binary sample — and reports the current oid of each path so
 * clients can skip unchanged files. Python needs `shouldIgnore` on every entry.
 */
export async function preupload(ctx: RequestContext): Promise<void> {
  const { meta, owner } = hfRepoToChange(ctx);
  if (!["1", "true"].includes(ctx.url.searchParams.get("create_pr") ?? ""))
    checkMayWriteRef(ctx, meta, owner, branchName(meta, ctx.params.rev!));
  const parsed = PreuploadSchema.safeParse(await readJson(ctx));
  if (!parsed.success) throw new HttpError(400, `Invalid preupload body: ${parsed.error.issues[0]?.message}`);
  let commit: Commit | undefined;
  try {
    commit = await ctx.hub.repos.commitAt(meta, ctx.params.rev!);
  } catch {
    commit = await ctx.hub.repos.commitAt(meta, "HEAD");
  }
  const patterns = await lfsPatternsAt(ctx, commit, parsed.data.gitAttributes);
  const ignored = await gitIgnoredAt(ctx, commit, parsed.data.gitIgnore);
  // Under the threshold and what a commit line may carry (ndjson-lines.ts), a file goes inline.
  const threshold = inlineFileLimit(ctx.hub.options);
  const files = parsed.data.files.map((f) => {
    const sample = f.sample ? Buffer.from(f.sample, "base64") : Buffer.alloc(0);
    const binary = sample.includes(0);
    const lfs = f.size > 0 && (patterns.matches(f.path) || f.size >= threshold || binary);
    const existing = commit.files[f.path];
    const out: Record<string, unknown> = {
      path: f.path,
      uploadMode: lfs ? "lfs" : "regular",
      shouldIgnore: ignored(f.path),
    };
    if (existing) out.oid = existing.lfs ? existing.sha256 : existing.gitOid;
    return out;
  });
  sendJson(ctx, 200, { files, commitOid: commit.id });
}

const BatchSchema = z.object({
  operation: z.enum(["upload", "download"]),
  transfers: z.array(z.string()).optional(),
  objects: z.array(z.object({ oid: z.string(), size: z.number() })),
  hash_algo: z.string().optional(),
  ref: z.object({ name: z.string() }).nullish(),
});

const LFS_JSON = "application/vnd.git-lfs+json";

/**
 * Who may upload objects: with a `ref`, whoever may commit to it; without one (how both official
 * clients upload for a new pull request), anyone who may open a pull request. An object enters no
 * branch until a commit this user may make names it.
 */
function uploader(ctx: RequestContext, ref: string | undefined): RepoMeta {
  const { meta, owner } = hfRepoToChange(ctx);
  if (ref !== undefined) checkMayWriteRef(ctx, meta, owner, branchName(meta, ref));
  return meta;
}

/**
 * `POST /{prefix}{id}.git/info/lfs/objects/batch`. Objects this repo already has come back without
 * `actions` (another repo holding the same bytes does not count); others get signed basic or
 * multipart URLs, or a per-object 413/507 error when the hub cannot take them. `xet` is never chosen, so clients fall back to LFS.
 */
export async function lfsBatch(ctx: RequestContext): Promise<void> {
  const parsed = BatchSchema.safeParse(await readJson(ctx));
  if (!parsed.success)
    throw new HttpError(422, `Invalid LFS batch request: ${parsed.error.issues[0]?.message}`);
  const body = parsed.data;
  if (body.hash_algo && !["sha256", "sha_256"].includes(body.hash_algo)) {
    throw new HttpError(422, `Unsupported hash algorithm "${body.hash_algo}"; use sha256`);
  }
  const meta = body.operation === "upload" ? uploader(ctx, body.ref?.name) : hfRepo(ctx);
  const transfers = body.transfers ?? ["basic"];
  const allowMultipart = transfers.includes("multipart");
  const objects: Record<string, unknown>[] = [];
  let anyMultipart = false;
  for (const o of body.objects) {
    const invalid = validateObject(o);
    if (invalid) {
      objects.push({ oid: o.oid, size: o.size, error: { code: 422, message: invalid } });
      continue;
    }
    if (body.operation === "download") {
      const blob = await ctx.hub.blobs.stat(o.oid);
      const commit = await ctx.hub.repos.commitAt(meta, "HEAD");
      const inRepo = Object.values(commit.files).some((f) => f.sha256 === o.oid);
      if (!blob || !inRepo)
        objects.push({ oid: o.oid, size: o.size, error: { code: 404, message: "Object does not exist" } });
      else
        objects.push({
          oid: o.oid,
          size: blob.size,
          authenticated: true,
          actions: {
            download: {
              href: ctx.hub.signer.sign(ctx.baseUrl, `/_hubferry/objects/${o.oid}`),
              expires_in: 3600,
            },
          },
        });
      continue;
    }
    const plan = await planUpload(ctx, meta, o, allowMultipart);
    if (plan.kind === "multipart") anyMultipart = true;
    objects.push(
      plan.error
        ? { oid: o.oid, size: o.size, error: plan.error }
        : plan.actions
          ? { oid: o.oid, size: o.size, authenticated: true, actions: plan.actions }
          : { oid: o.oid, size: o.size },
    );
  }
  sendJson(
    ctx,
    200,
    { transfer: anyMultipart ? "multipart" : "basic", objects, hash_algo: "sha256" },
    { "Content-Type": LFS_JSON },
  );
}
