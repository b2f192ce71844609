import { z } from "zod";
import { type RequestContext, sendJson } from "../http/context.js";
import { slowCommit } from "../http/faults.js";
import { HttpError } from "../http/http-error.js";
import { checkCapacity } from "../lfs/capacity.js";
import { lfsEntry, storeRegular } from "../store/file-entry.js";
import type { FileEntry } from "../store/file-tree.js";
import { lfsLineFor } from "../store/gitattributes.js";
import { repoPathProblem } from "../store/repo-path.js";
import { type CommitOp, PathConflict, type RepoMeta } from "../store/repo-store.js";
import { commitLock } from "./hf-body.js";
import { branchName, checkMayWriteRef, hfRepoToChange, prAuthors, repoUrl } from "./hf-repo-access.js";
import { MAX_COMMIT_BODY, maxCommitLine, ndjsonLines } from "./ndjson-lines.js";
import { lfsPatternsAt } from "./upload.js";

const LineSchema = z.discriminatedUnion("key", [
  z.object({
    key: z.literal("header"),
    value: z.object({
      summary: z.string(),
      description: z.string().optional(),
      // huggingface_hub accepts upper-case hex too (constants.REGEX_COMMIT_OID).
      parentCommit: z
        .string()
        .regex(/^[0-9a-f]{5,40}$/i)
        .transform((id) => id.toLowerCase())
        .optional(),
    }),
  }),
  z.object({
    key: z.literal("file"),
    value: z.object({
      path: z.string(),
      content: z.string(),
      encoding: z.enum(["base64", "utf-8"]).optional(),
    }),
  }),
  z.object({
    key: z.literal("lfsFile"),
    value: z.object({
      path: z.string(),
      algo: z.literal("sha256").optional(),
      oid: z.string(),
      size: z.number().int().min(0).optional(),
    }),
  }),
  z.object({ key: z.literal("deletedFile"), value: z.object({ path: z.string() }) }),
  z.object({ key: z.literal("deletedFolder"), value: z.object({ path: z.string() }) }),
]);

type Line = z.infer<typeof LineSchema>;

function checkedPath(path: string, lineNo: number): string {
  const normalized = path.replace(/^\.\//, "");
  const problem = repoPathProblem(normalized);
  // The real hub answers 422 to `..\x` (a path climbing out with a backslash).
  if (problem)
    throw new HttpError(/^\.\.\\/.test(normalized) ? 422 : 400, `Invalid path on line ${lineNo}: ${problem}`);
  return normalized;
}

interface CommitBody {
  header: Extract<Line, { key: "header" }>["value"];
  ops: CommitOp[];
  lfsPaths: string[];
}

/**
 * `POST /api/{type}s/{id}/commit/{rev}` with an NDJSON body. Lines are read one at a time so a big
 * inline payload is never held as one string; LFS entries must name objects already uploaded
 * (and verified), so nothing unverified can enter a commit. `create_pr=1` opens a pull request
 * on the branch `rev` (from `parentCommit` when given, as the real hub does), which anyone with a
 * write-role token who can see the repo may do; commits to a ref need the rights to that ref.
 */
export async function commitNdjson(ctx: RequestContext): Promise<void> {
  const { meta, owner } = hfRepoToChange(ctx);
  const createPr = ["1", "true"].includes(ctx.url.searchParams.get("create_pr") ?? "");
  const rev = branchName(meta, ctx.params.rev!);
  if (!createPr) checkMayWriteRef(ctx, meta, owner, rev);
  await checkCapacity(ctx.hub, 0);
  const body = await readCommitBody(ctx, meta);
  const result = await ctx.hub.repos.locks.run(commitLock(meta), async () => {
    await slowCommit(ctx.hub.faults, ctx.method, ctx.route, ctx.url.pathname);
    const target: { ref: string; prNumber?: number } = createPr
      ? await openPullRequest(ctx, meta, rev, body.header.parentCommit)
      : { ref: rev };
    if (!createPr && !meta.branches[rev] && !meta.pullRequests[rev])
      throw new HttpError(404, `Invalid rev id: ${ctx.params.rev}`, { code: "RevisionNotFound" });
    try {
      await addGitattributesLines(ctx, meta, target.ref, body.ops, body.lfsPaths);
      const commit = await ctx.hub.repos.commit(meta, {
        branch: target.ref,
        parentCommit: body.header.parentCommit,
        title: body.header.summary,
        description: body.header.description ?? "",
        author: ctx.who!.user.name,
        ops: body.ops,
      });
      return { commit, prNumber: target.prNumber };
    } catch (err) {
      if (target.prNumber) {
        delete meta.pullRequests[target.ref];
        delete prAuthors(meta)[target.ref];
      }
      if (err instanceof PathConflict) throw new HttpError(400, `Invalid commit: ${err.message}`);
      throw err;
    }
  });
  const url = repoUrl(ctx, meta);
  const out: Record<string, unknown> = {
    success: true,
    commitOid: result.commit.id,
    commitUrl: `${url}/commit/${result.commit.id}`,
    hookOutput: "",
  };
  if (result.prNumber) out.pullRequestUrl = `${url}/discussions/${result.prNumber}`;
  sendJson(ctx, 200, out);
}

/**
 * Opens `refs/pr/N` on branch `branch`, starting at `parentCommit` when given (full or short id),
 * else at the branch's head. As on the real hub, the base must be a branch: a commit id, a tag or
 * a missing branch is RevisionNotFound (huggingface_hub's test_create_commit_create_pr_against_branch).
 */
async function openPullRequest(
  ctx: RequestContext,
  meta: RepoMeta,
  branch: string,
  parentCommit: string | undefined,
): Promise<{ ref: string; prNumber: number }> {
  const head = meta.branches[branch];
  if (!head)
    throw new HttpError(
      404,
      `Invalid rev id: ${ctx.params.rev}: a pull request is opened on a branch; to start it at a commit, give that commit as parentCommit (parent_commit=...)`,
      { code: "RevisionNotFound" },
    );
  const from = parentCommit ? await ctx.hub.repos.findCommit(meta, parentCommit) : head;
  if (!from)
    throw new HttpError(
      404,
      `Invalid rev id: ${parentCommit} (parentCommit) is no commit of this repository`,
      {
        code: "RevisionNotFound",
      },
    );
  const prNumber = Object.keys(meta.pullRequests).length + 1;
  const ref = `refs/pr/${prNumber}`;
  meta.pullRequests[ref] = from;
  prAuthors(meta)[ref] = ctx.who!.user.name;
  return { ref, prNumber };
}

/** Reads the NDJSON lines into commit operations (inline files are stored as they come). */
async function readCommitBody(ctx: RequestContext, meta: RepoMeta): Promise<CommitBody> {
  let header: CommitBody["header"] | undefined;
  const ops: CommitOp[] = [];
  const lfsPaths: string[] = [];
  let lineNo = 0;
  const limits = { maxLine: maxCommitLine(ctx.hub.options), maxBody: MAX_COMMIT_BODY };
  for await (const text of ndjsonLines(ctx.req, limits)) {
    lineNo++;
    if (!text.trim()) continue;
    const line = parseLine(text, lineNo);
    if (line.key === "header") header = line.value;
    else if (line.key === "file") {
      const path = checkedPath(line.value.path, lineNo);
      const content = Buffer.from(line.value.content, line.value.encoding === "utf-8" ? "utf8" : "base64");
      ops.push({ kind: "add", path, entry: await storeRegular(ctx.hub.blobs, content) });
    } else if (line.key === "lfsFile") {
      const path = checkedPath(line.value.path, lineNo);
      ops.push({ kind: "add", path, entry: await uploadedLfs(ctx, meta, path, line.value) });
      lfsPaths.push(path);
    } else if (line.key === "deletedFile") {
      // huggingface_hub sends `deletedFile` for `delete_file("dir")` (is_folder "auto" without a
      // trailing slash); the real hub deletes the folder then (huggingface_hub#2259).
      ops.push({ kind: "deletePath", path: checkedPath(line.value.path.replace(/\/+$/, ""), lineNo) });
    } else {
      ops.push({ kind: "deleteFolder", path: checkedPath(line.value.path.replace(/\/+$/, ""), lineNo) });
    }
  }
  if (!header) throw new HttpError(400, "The commit payload has no header line");
  return { header, ops, lfsPaths };
}

function parseLine(text: string, lineNo: number): Line {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, `Line ${lineNo} of the commit payload is not valid JSON`);
  }
  const parsed = LineSchema.safeParse(json);
  if (!parsed.success)
    throw new HttpError(
      400,
      `Line ${lineNo} of the commit payload is invalid: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

/** The entry of an LFS object this repo was given through the batch API, with the size it claims. */
async function uploadedLfs(
  ctx: RequestContext,
  meta: RepoMeta,
  path: string,
  value: { oid: string; size?: number },
): Promise<FileEntry> {
  const blob = await ctx.hub.blobs.stat(value.oid);
  const ours = blob && (await ctx.hub.repos.lfs.has(meta, blob.sha256));
  if (!blob || !ours || (value.size !== undefined && blob.size !== value.size)) {
    throw new HttpError(
      422,
      `LFS object ${value.oid} for "${path}" was not uploaded to this repository (or its size differs); upload it through the LFS batch API first`,
    );
  }
  return lfsEntry(blob);
}

/** The hub keeps .gitattributes tracking every LFS path a commit adds. */
async function addGitattributesLines(
  ctx: RequestContext,
  meta: RepoMeta,
  branch: string,
  ops: CommitOp[],
  lfsPaths: string[],
): Promise<void> {
  if (lfsPaths.length === 0) return;
  const head = await ctx.hub.repos.commitAt(meta, branch);
  const pending = ops.findLast((o) => o.kind === "add" && o.path === ".gitattributes");
  const current =
    pending && pending.kind === "add"
      ? (await ctx.hub.blobs.readAll(pending.entry.sha256)).toString("utf8")
      : head.files[".gitattributes"]
        ? (await ctx.hub.blobs.readAll(head.files[".gitattributes"].sha256)).toString("utf8")
        : "";
  const patterns = await lfsPatternsAt(ctx, head, current);
  const missing = [...new Set(lfsPaths)].filter((p) => !patterns.matches(p));
  if (missing.length === 0) return;
  const next = Buffer.from(
    `${current}${current && !current.endsWith("\n") ? "\n" : ""}${missing.map(lfsLineFor).join("\n")}\n`,
  );
  ops.push({ kind: "add", path: ".gitattributes", entry: await storeRegular(ctx.hub.blobs, next) });
}
