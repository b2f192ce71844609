import { createInterface } from "node:readline";
import { z } from "zod";
import { type RequestContext, sendJson } from "../http/context.js";
import { slowCommit } from "../http/faults.js";
import { HttpError } from "../http/http-error.js";
import { capLines } from "../http/line-cap.js";
import { checkCapacity } from "../lfs/capacity.js";
import { lfsEntry, storeRegular } from "../store/file-entry.js";
import { lfsLineFor } from "../store/gitattributes.js";
import { repoPathProblem } from "../store/repo-path.js";
import { type CommitOp, PathConflict, type RepoMeta } from "../store/repo-store.js";
import { hfRepo, repoUrl } from "./hf-repo-access.js";
import { lfsPatternsAt } from "./upload.js";

/**
 * Longest NDJSON line taken: one line is one inline file in base64 (clients send files below the
 * LFS threshold that way, 10 MB on the Hub), and the whole line is held in memory while read.
 */
const MAX_COMMIT_LINE = 64 * 1024 * 1024;

const LineSchema = z.discriminatedUnion("key", [
  z.object({
    key: z.literal("header"),
    value: z.object({
      summary: z.string(),
      description: z.string().optional(),
      parentCommit: z
        .string()
        .regex(/^[0-9a-f]{5,40}$/)
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

/**
 * `POST /api/{type}s/{id}/commit/{rev}` with an NDJSON body. Lines are read one at a time so a big
 * inline payload is never held as one string; LFS entries must name objects already uploaded
 * (and verified), so nothing unverified can enter a commit.
 */
export async function commitNdjson(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  await checkCapacity(ctx.hub, 0);
  const who = ctx.who!;
  let header: Extract<Line, { key: "header" }>["value"] | undefined;
  const ops: CommitOp[] = [];
  const lfsPaths: string[] = [];
  let lineNo = 0;
  const input = capLines(ctx.req, MAX_COMMIT_LINE, "commit payload");
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo++;
    if (!text.trim()) continue;
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
    const line = parsed.data;
    if (line.key === "header") header = line.value;
    else if (line.key === "file") {
      const path = checkedPath(line.value.path, lineNo);
      const content = Buffer.from(line.value.content, line.value.encoding === "utf-8" ? "utf8" : "base64");
      ops.push({ kind: "add", path, entry: await storeRegular(ctx.hub.blobs, content) });
    } else if (line.key === "lfsFile") {
      const path = checkedPath(line.value.path, lineNo);
      const blob = await ctx.hub.blobs.stat(line.value.oid);
      const ours = blob && (await ctx.hub.repos.lfs.has(meta, blob.sha256));
      if (!blob || !ours || (line.value.size !== undefined && blob.size !== line.value.size)) {
        throw new HttpError(
          422,
          `LFS object ${line.value.oid} for "${path}" was not uploaded to this repository (or its size differs); upload it through the LFS batch API first`,
        );
      }
      ops.push({ kind: "add", path, entry: lfsEntry(blob) });
      lfsPaths.push(path);
    } else if (line.key === "deletedFile") {
      ops.push({ kind: "delete", path: checkedPath(line.value.path, lineNo) });
    } else {
      ops.push({ kind: "deleteFolder", path: checkedPath(line.value.path.replace(/\/+$/, ""), lineNo) });
    }
  }
  if (!header) throw new HttpError(400, "The commit payload has no header line");
  const createPr = ["1", "true"].includes(ctx.url.searchParams.get("create_pr") ?? "");
  const result = await ctx.hub.repos.locks.run(
    `commit:${meta.face}:${meta.type}:${meta.namespace}/${meta.name}`,
    async () => {
      await slowCommit(ctx.hub.faults, ctx.method, ctx.route, ctx.url.pathname);
      let branch = ctx.params.rev!;
      if (branch === "HEAD") branch = meta.defaultBranch;
      branch = branch.replace(/^refs\/heads\//, "");
      let prNumber: number | undefined;
      if (createPr) {
        const base = await ctx.hub.repos.resolveRevision(meta, branch);
        prNumber = Object.keys(meta.pullRequests).length + 1;
        branch = `refs/pr/${prNumber}`;
        meta.pullRequests[branch] = base;
      } else if (!meta.branches[branch] && !meta.pullRequests[branch]) {
        throw new HttpError(404, `Invalid rev id: ${ctx.params.rev}`, { code: "RevisionNotFound" });
      }
      try {
        await addGitattributesLines(ctx, meta, branch, ops, lfsPaths);
        const commit = await ctx.hub.repos.commit(meta, {
          branch,
          parentCommit: header.parentCommit,
          title: header.summary,
          description: header.description ?? "",
          author: who.user.name,
          ops,
        });
        return { commit, prNumber };
      } catch (err) {
        if (prNumber) delete meta.pullRequests[branch];
        if (err instanceof PathConflict) throw new HttpError(400, `Invalid commit: ${err.message}`);
        throw err;
      }
    },
  );
  const url = repoUrl(ctx, meta);
  const body: Record<string, unknown> = {
    success: true,
    commitOid: result.commit.id,
    commitUrl: `${url}/commit/${result.commit.id}`,
    hookOutput: "",
  };
  if (result.prNumber) body.pullRequestUrl = `${url}/discussions/${result.prNumber}`;
  sendJson(ctx, 200, body);
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
