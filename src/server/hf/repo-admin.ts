import { z } from "zod";
import type { RepoType } from "../../core/repo-type.js";
import { canWrite } from "../auth/users.js";
import { type RequestContext, readJson, requireUser, sendJson, sendText } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { paginate } from "../http/paginate.js";
import { storeRegular } from "../store/file-entry.js";
import type { FileMap } from "../store/file-tree.js";
import { DEFAULT_GITATTRIBUTES } from "../store/gitattributes.js";
import type { RepoMeta } from "../store/repo-store.js";
import { commitLock, parseBody, refNameProblem, repoTypeOf } from "./hf-body.js";
import { repoNotFound } from "./hf-errors.js";
import { findHfRepo, hfRepo, repoUrl } from "./hf-repo-access.js";

export const REPO_NAME_RE = /^(?!.*(--|\.\.))[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const SPACE_SDKS = ["gradio", "streamlit", "docker", "static"] as const;

const CreateSchema = z.object({
  name: z.string(),
  organization: z.string().nullish(),
  type: z.string().nullish(),
  private: z.boolean().nullish(),
  visibility: z.enum(["public", "private", "protected"]).nullish(),
  sdk: z.string().nullish(),
  license: z.string().nullish(),
  files: z
    .array(z.object({ path: z.string(), content: z.string(), encoding: z.string().optional() }))
    .nullish(),
});

async function initialFiles(
  ctx: RequestContext,
  type: RepoType,
  name: string,
  sdk: string | undefined,
  license: string | undefined,
  extra: { path: string; content: Buffer }[],
): Promise<FileMap> {
  const files: FileMap = {};
  const add = async (path: string, content: Buffer) => {
    files[path] = await storeRegular(ctx.hub.blobs, content);
  };
  await add(".gitattributes", Buffer.from(DEFAULT_GITATTRIBUTES));
  // As the real hub: a licence given at creation seeds a card whose metadata carries it.
  const licence = license ? `license: ${license}\n` : "";
  if (type === "space") {
    await add(
      "README.md",
      Buffer.from(
        `---\ntitle: ${name}\nemoji: 🚀\ncolorFrom: blue\ncolorTo: green\nsdk: ${sdk}\npinned: false\n${licence}---\n`,
      ),
    );
  } else if (licence) {
    await add("README.md", Buffer.from(`---\n${licence}---\n`));
  }
  for (const f of extra) await add(f.path, f.content);
  return files;
}

/** Who may create `namespace/name`, as `POST /api/repos/create` and a duplicate's target check it. */
export function checkMayCreate(ctx: RequestContext, type: RepoType, namespace: string, name: string): void {
  if (!REPO_NAME_RE.test(name)) {
    throw new HttpError(
      400,
      `Invalid repo name "${name}": use letters, digits, '-', '_' and '.', at most 96 characters, no '--' or '..'`,
    );
  }
  if (!canWrite(ctx.who, namespace)) {
    throw new HttpError(
      403,
      `You don't have the rights to create a ${type} under the namespace "${namespace}"`,
    );
  }
}

/** The lock every creator of a repo id holds (create, move, duplicate); ids match in any case. */
export function createLock(type: RepoType, namespace: string, name: string): string {
  return `create:${type}:${namespace}/${name}`.toLowerCase();
}

/**
 * 409 with a JSON `url` when the id is taken (Python's `exist_ok` reads it). A former id of a
 * moved repo is free again, as on the real hub; a case variant is not.
 */
export function checkFree(ctx: RequestContext, type: RepoType, namespace: string, name: string): void {
  const found = findHfRepo(ctx, type, namespace, name);
  if (found && `${found.namespace}/${found.name}`.toLowerCase() === `${namespace}/${name}`.toLowerCase()) {
    const error = `You already created this ${type} repo`;
    throw new HttpError(409, error, { body: { error, url: repoUrl(ctx, found) } });
  }
}

/** `POST /api/repos/create`: 409 with a JSON `url` when it exists (Python's `exist_ok` reads it). */
export async function createRepo(ctx: RequestContext): Promise<void> {
  const who = requireUser(ctx, "create a repository");
  const body = parseBody(CreateSchema, await readJson(ctx));
  const type = repoTypeOf(body.type);
  const namespace = body.organization ?? who.user.name;
  checkMayCreate(ctx, type, namespace, body.name);
  if (body.license && !/^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$/.test(body.license)) {
    throw new HttpError(400, `Invalid license "${body.license}": use a license id such as apache-2.0 or mit`);
  }
  let sdk: string | undefined;
  if (type === "space") {
    sdk = body.sdk ?? undefined;
    if (!sdk || !(SPACE_SDKS as readonly string[]).includes(sdk)) {
      throw new HttpError(400, `A space needs an sdk: one of ${SPACE_SDKS.join(", ")}`);
    }
  }
  const key = { face: "hf" as const, type, namespace, name: body.name };
  await ctx.hub.repos.locks.run(createLock(type, namespace, body.name), async () => {
    checkFree(ctx, type, namespace, body.name);
    const extra = (body.files ?? []).map((f) => ({
      path: f.path,
      content: Buffer.from(f.content, f.encoding === "base64" ? "base64" : "utf8"),
    }));
    const isPrivate = body.visibility ? body.visibility !== "public" : (body.private ?? false);
    const meta = await ctx.hub.repos.create(key, {
      private: isPrivate,
      sdk,
      license: body.license ?? undefined,
      author: who.user.name,
      initialFiles: await initialFiles(ctx, type, body.name, sdk, body.license ?? undefined, extra),
    });
    sendJson(ctx, 200, { url: repoUrl(ctx, meta), name: `${namespace}/${body.name}`, id: meta.objectId });
  });
}

const DeleteSchema = z.object({
  name: z.string(),
  organization: z.string().nullish(),
  type: z.string().nullish(),
});

/** `DELETE /api/repos/delete`: answers a plain `OK`, as the real hub does. */
export async function deleteRepo(ctx: RequestContext): Promise<void> {
  const who = requireUser(ctx, "delete a repository");
  const body = parseBody(DeleteSchema, await readJson(ctx));
  const type = repoTypeOf(body.type);
  const namespace = body.organization ?? who.user.name;
  const meta = findHfRepo(ctx, type, namespace, body.name);
  if (!meta || !canWrite(ctx.who, meta.namespace)) throw repoNotFound(ctx);
  await ctx.hub.repos.delete(meta);
  sendText(ctx, 200, "OK");
}

const SettingsSchema = z.object({
  private: z.boolean().optional(),
  visibility: z.enum(["public", "private", "protected"]).optional(),
  gated: z.union([z.literal(false), z.enum(["auto", "manual"])]).optional(),
});

export async function updateSettings(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const body = parseBody(SettingsSchema, await readJson(ctx));
  if (body.visibility) meta.private = body.visibility !== "public";
  else if (body.private !== undefined) meta.private = body.private;
  if (body.gated !== undefined) meta.gated = body.gated;
  await ctx.hub.repos.saveMeta(meta);
  sendJson(ctx, 200, { private: meta.private, gated: meta.gated });
}

const BranchSchema = z
  .object({
    startingPoint: z.string().nullish(),
    emptyBranch: z.boolean().nullish(),
    overwrite: z.boolean().nullish(),
  })
  .nullable();

/**
 * `POST /api/{type}s/{id}/branch/{branch}` `{startingPoint, emptyBranch, overwrite}`. An empty
 * branch starts at a root commit with no files; `overwrite` resets an existing branch (a no-op
 * without a starting point or `emptyBranch`, as @huggingface/hub documents).
 */
export async function createBranch(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const body = parseBody(BranchSchema, await readJson(ctx));
  const branch = ctx.params.ref!.replace(/^refs\/heads\//, "");
  const problem = refNameProblem(branch);
  if (problem) throw new HttpError(400, `Invalid branch name "${branch}": ${problem}`);
  await ctx.hub.repos.locks.run(commitLock(meta), async () => {
    if (meta.branches[branch]) {
      if (!body?.overwrite) throw new HttpError(409, `Reference refs/heads/${branch} already exists`);
      if (!body.startingPoint && !body.emptyBranch) return sendJson(ctx, 200, {});
    }
    if (body?.emptyBranch) {
      const root = await ctx.hub.repos.writeCommit(meta, {
        parents: [],
        title: `Create empty branch ${branch}`,
        description: "",
        author: ctx.who!.user.name,
        files: {},
      });
      meta.branches[branch] = root.id;
    } else {
      meta.branches[branch] = await ctx.hub.repos.resolveRevision(
        meta,
        body?.startingPoint ?? meta.defaultBranch,
      );
    }
    await ctx.hub.repos.saveMeta(meta);
    sendJson(ctx, 200, {});
  });
}

export async function deleteBranch(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const branch = ctx.params.ref!.replace(/^refs\/heads\//, "");
  if (branch === meta.defaultBranch) throw new HttpError(403, `Cannot delete refs/heads/${branch}`);
  if (!meta.branches[branch])
    throw new HttpError(404, `Invalid rev id: ${branch}`, { code: "RevisionNotFound" });
  delete meta.branches[branch];
  await ctx.hub.repos.saveMeta(meta);
  sendJson(ctx, 200, {});
}

export async function createTag(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx, { write: true });
  const body = parseBody(
    z.object({ tag: z.string().min(1), message: z.string().nullish() }),
    await readJson(ctx),
  );
  const problem = refNameProblem(body.tag);
  if (problem) throw new HttpError(400, `Invalid tag name "${body.tag}": ${problem}`);
  if (meta.tags[body.tag]) throw new HttpError(409, `Tag already exists: ${body.tag}`);
  meta.tags[body.tag] = await ctx.hub.repos.resolveRevision(meta, ctx.params.ref!);
  await ctx.hub.repos.saveMeta(meta);
  sendJson(ctx, 200, {});
}

function refList(map: Record<string, string>, prefix: string) {
  return Object.entries(map).map(([name, targetCommit]) => ({ name, ref: `${prefix}${name}`, targetCommit }));
}

export async function listRefs(ctx: RequestContext): Promise<void> {
  const meta = hfRepo(ctx);
  const out: Record<string, unknown> = {
    branches: refList(meta.branches, "refs/heads/"),
    converts: [],
    tags: refList(meta.tags, "refs/tags/"),
  };
  if (["1", "true"].includes(ctx.url.searchParams.get("include_prs") ?? "")) {
    out.pullRequests = Object.entries(meta.pullRequests).map(([ref, targetCommit]) => ({
      name: ref.replace("refs/pr/", ""),
      ref,
      targetCommit,
    }));
  }
  sendJson(ctx, 200, out);
}

export async function listCommits(ctx: RequestContext): Promise<void> {
  const meta: RepoMeta = hfRepo(ctx);
  const head = await ctx.hub.repos.resolveRevision(meta, ctx.params.rev!);
  const commits = await ctx.hub.repos.history(meta, head);
  const formatted = ctx.url.searchParams.getAll("expand[]").includes("formatted");
  const items = commits.map((c) => {
    const message = c.description ? `${c.title}\n\n${c.description}` : c.title;
    return {
      id: c.id,
      authors: [{ user: c.author }],
      date: c.date,
      title: c.title,
      message,
      // `expand[]=formatted` (Python's `formatted=True`): the texts as HTML, as the hub renders them.
      ...(formatted ? { formatted: { title: escapeHtml(c.title), message: htmlParagraphs(message) } } : {}),
    };
  });
  const { page, headers } = paginate(ctx, items, 50);
  sendJson(ctx, 200, page, headers);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function htmlParagraphs(s: string): string {
  return s
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}
