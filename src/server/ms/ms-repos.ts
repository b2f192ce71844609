import busboy from "busboy";
import { z } from "zod";
import type { RepoType } from "../../core/repo-type.js";
import { canReadRepo } from "../auth/can-read-repo.js";
import { canWrite } from "../auth/users.js";
import { REPO_NAME_RE } from "../hf/repo-admin.js";
import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { HubState } from "../hub-state.js";
import { storeRegular } from "../store/file-entry.js";
import type { FileMap } from "../store/file-tree.js";
import { DEFAULT_GITATTRIBUTES } from "../store/gitattributes.js";
import { HeadSummaries } from "../store/head-summaries.js";
import type { RepoMeta } from "../store/repo-store.js";
import { MS_BODY_LIMITS, readMsJson } from "./ms-body.js";
import { MS_CODES, msOk, openapiOk } from "./ms-envelope.js";
import { allocateNumericId } from "./ms-numeric-id.js";
import { msRepo, msTypeFromPlural, notLoggedIn } from "./ms-repo-access.js";
import { msRepoInfo, openapiRepo } from "./ms-serialize.js";

export const MS_DEFAULT_BRANCH = "master";

/** `GET /api/v1/{models,datasets}/{o}/{n}[?Revision=]` */
export async function repoInfo(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx);
  const rev = ctx.url.searchParams.get("Revision") || meta.defaultBranch;
  const commit = await ctx.hub.repos.commitAt(meta, rev);
  msOk(ctx, await msRepoInfo(ctx, meta, commit));
}

/** `GET /openapi/v1/{models,datasets}/{o}/{n}` (new SDK `get_repo`, falls back to /api/v1 on 404). */
export async function openapiRepoInfo(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx);
  const commit = await ctx.hub.repos.commitAt(meta, meta.defaultBranch);
  openapiOk(ctx, await openapiRepo(ctx, meta, commit, true));
}

const VISIBILITY = { 1: true, 3: true, 5: false } as const;

const CreateSchema = z.object({
  Path: z.string().optional(),
  Owner: z.string().optional(),
  Name: z.string(),
  ChineseName: z.string().nullish(),
  Visibility: z.coerce.number().int().optional(),
  License: z.string().nullish(),
  Description: z.string().nullish(),
  ProtectedMode: z.coerce.number().int().optional(),
});

/** The legacy SDK's dataset create form has 6 short fields; anything past these bounds is refused. */
const FORM_LIMITS = { fields: 16, parts: 16, files: 0, fieldNameSize: 100, fieldSize: 64 * 1024 };

async function multipartFields(ctx: RequestContext): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const tooLarge = (what: string) =>
      new HttpError(
        413,
        `create form too large: ${what} (at most ${FORM_LIMITS.fields} fields of ${FORM_LIMITS.fieldSize / 1024} KiB, ${MS_BODY_LIMITS.create / 1024 / 1024} MiB as JSON); send only the documented fields`,
      );
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: ctx.req.headers, limits: FORM_LIMITS });
    } catch (err) {
      reject(new HttpError(400, `expected a multipart/form-data body: ${(err as Error).message}`));
      return;
    }
    bb.on("field", (name, value, info) => {
      if (info.valueTruncated) reject(tooLarge(`field ${name} is longer`));
      else fields[name] = value;
    });
    bb.on("fieldsLimit", () => reject(tooLarge("more fields")));
    bb.on("partsLimit", () => reject(tooLarge("more parts")));
    bb.on("close", () => resolve(fields));
    bb.on("error", (err) => reject(new HttpError(400, `invalid multipart body: ${(err as Error).message}`)));
    ctx.req.pipe(bb);
  });
}

/** As the site: a new model starts with a README.md (the SDKs' tests read it right after creating). */
async function initialFiles(
  ctx: RequestContext,
  type: RepoType,
  name: string,
  license?: string,
): Promise<FileMap> {
  const files: FileMap = {
    ".gitattributes": await storeRegular(ctx.hub.blobs, Buffer.from(DEFAULT_GITATTRIBUTES)),
  };
  if (type === "model") {
    const meta = license ? `license: ${JSON.stringify(license)}\n` : "";
    const readme = `---\n${meta}---\n# ${name}\n`;
    files["README.md"] = await storeRegular(ctx.hub.blobs, Buffer.from(readme));
  }
  return files;
}

/**
 * `POST /api/v1/models` (JSON) and `POST /api/v1/datasets` (multipart form). An existing name is a
 * 400 with the site's code and message, which both SDKs recognise as "already exists".
 */
export async function createRepo(ctx: RequestContext): Promise<void> {
  const type: RepoType = msTypeFromPlural(ctx.params.types);
  if (!ctx.who) throw notLoggedIn();
  let raw: unknown;
  if ((ctx.req.headers["content-type"] ?? "").startsWith("multipart/form-data"))
    raw = await multipartFields(ctx);
  else raw = await readMsJson(ctx, "create");
  const parsed = CreateSchema.safeParse(raw);
  if (!parsed.success)
    throw new HttpError(
      400,
      `invalid create request: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
    );
  const body = parsed.data;
  const namespace = body.Path ?? body.Owner ?? ctx.who.user.name;
  if (!REPO_NAME_RE.test(body.Name))
    throw new HttpError(400, `invalid name "${body.Name}": use letters, digits, '-', '_' and '.'`);
  if (!canWrite(ctx.who, namespace))
    throw new HttpError(403, `no permission to create a ${type} under "${namespace}"`);
  const visibility = body.Visibility ?? 5;
  if (!(visibility in VISIBILITY))
    throw new HttpError(400, `invalid Visibility ${visibility}: use 1 (private), 3 (internal) or 5 (public)`);
  const key = { face: "ms" as const, type, namespace, name: body.Name };
  await ctx.hub.repos.locks.run(`create:ms:${type}:${namespace}/${body.Name}`, async () => {
    if (ctx.hub.repos.get(key)) {
      throw new HttpError(400, "该名称已被注册使用，请重新命名 (the name already exists)", {
        code: String(type === "dataset" ? MS_CODES.datasetExists : MS_CODES.modelExists),
      });
    }
    const meta = await ctx.hub.repos.create(key, {
      private: VISIBILITY[visibility as 1 | 3 | 5],
      license: body.License ?? undefined,
      author: ctx.who!.user.name,
      initialFiles: await initialFiles(ctx, type, body.Name, body.License ?? undefined),
      defaultBranch: MS_DEFAULT_BRANCH,
      extra: {
        numericId: allocateNumericId(ctx.hub),
        visibility,
        chineseName: body.ChineseName ?? "",
        description: body.Description ?? "",
        createdBy: ctx.who!.user.name,
      },
    });
    // The new SDK builds its RepoInfo from this object (an id alone breaks it).
    msOk(ctx, {
      Id: meta.extra.numericId,
      Name: body.Name,
      Path: namespace,
      Owner: namespace,
      Visibility: visibility,
      License: meta.license ?? "",
    });
  });
}

/** `GET /api/v1/{type}s/{o}/{n}/revisions`: the legacy SDK needs a `master` branch with `CreatedAt`. */
export async function listRevisions(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx);
  const entry = async (name: string, id: string) => {
    const c = await ctx.hub.repos.loadCommit(meta, id);
    return {
      Revision: name,
      CreatedAt: Math.floor(new Date(c?.date ?? meta.createdAt).getTime() / 1000),
      CommitId: id,
    };
  };
  const branches = await Promise.all(Object.entries(meta.branches).map(([n, id]) => entry(n, id)));
  const tags = (await Promise.all(Object.entries(meta.tags).map(([n, id]) => entry(n, id)))).sort(
    (a, b) => b.CreatedAt - a.CreatedAt,
  );
  msOk(ctx, { RevisionMap: { Branches: branches, Tags: tags } });
}

/** `GET /api/v1/{type}s/{o}/{n}/commits?Ref=&PageNumber=&PageSize=` */
export async function listCommits(ctx: RequestContext): Promise<void> {
  const meta = msRepo(ctx);
  const q = ctx.url.searchParams;
  const head = await ctx.hub.repos.resolveRevision(meta, q.get("Ref") || meta.defaultBranch);
  const all = await ctx.hub.repos.history(meta, head);
  const size = Math.min(Math.max(Number(q.get("PageSize")) || 50, 1), 500);
  const page = Math.max(Number(q.get("PageNumber")) || 1, 1);
  const items = all.slice((page - 1) * size, page * size).map((c) => {
    const t = Math.floor(new Date(c.date).getTime() / 1000);
    return {
      Id: c.id,
      ShortId: c.id.slice(0, 8),
      Title: c.title,
      Message: c.description ? `${c.title}\n\n${c.description}` : c.title,
      AuthorName: c.author,
      AuthorEmail: `${c.author}@users.hubferry.local`,
      AuthoredDate: t,
      CommitterName: c.author,
      CommitterEmail: `${c.author}@users.hubferry.local`,
      CommittedDate: t,
      CreatedAt: t,
    };
  });
  msOk(ctx, { Commit: items }, { TotalCount: all.length });
}

function visibleRepos(ctx: RequestContext, type: RepoType): RepoMeta[] {
  return ctx.hub.repos.all("ms", type).filter((m) => !m.private || canReadRepo(ctx.who, m));
}

function matches(meta: RepoMeta, owner: string | null, search: string | null): boolean {
  if (owner && meta.namespace !== owner) return false;
  return !search || `${meta.namespace}/${meta.name}`.toLowerCase().includes(search.toLowerCase());
}

const headDates = new WeakMap<HubState, HeadSummaries<string>>();

/** Each ModelScope repo's head commit date, kept while its head stays the same (for sorting). */
function headDateIndex(ctx: RequestContext): HeadSummaries<string> {
  let index = headDates.get(ctx.hub);
  if (!index) {
    index = new HeadSummaries(ctx.hub.repos, async (_meta, commit) => commit.date);
    headDates.set(ctx.hub, index);
  }
  return index;
}

/**
 * The repos in the order asked for. Only `last_modified` needs a commit, and it reads each head
 * once per head (the index): the other orders come from the repo settings alone.
 */
async function sortRepos(ctx: RequestContext, metas: RepoMeta[], sort: string | null): Promise<RepoMeta[]> {
  if (sort === "downloads") {
    const n = (m: RepoMeta) => ctx.hub.repos.downloadCount(m);
    return metas.sort((a, b) => n(b) - n(a));
  }
  if (sort === "likes") return metas.sort((a, b) => b.likes - a.likes);
  if (sort === "last_modified") {
    const rows = await headDateIndex(ctx).of(metas);
    return rows.sort((a, b) => b.summary.localeCompare(a.summary)).map((r) => r.meta);
  }
  const id = (m: RepoMeta) => `${m.namespace}/${m.name}`;
  return metas.sort((a, b) => id(a).localeCompare(id(b)));
}

/** `GET /openapi/v1/{models,datasets}?search=&owner=&author=&sort=&page_number=&page_size=` */
export async function openapiList(ctx: RequestContext): Promise<void> {
  const type = msTypeFromPlural(ctx.params.types);
  const q = ctx.url.searchParams;
  const owner = q.get("owner") ?? q.get("author");
  const pageSize = Math.min(Math.max(Number(q.get("page_size")) || 10, 1), 50);
  const pageNumber = Math.max(Number(q.get("page_number")) || 1, 1);
  const found = visibleRepos(ctx, type).filter((m) => matches(m, owner, q.get("search")));
  const sorted = await sortRepos(ctx, found, q.get("sort"));
  const page = [];
  for (const meta of sorted.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)) {
    page.push(await openapiRepo(ctx, meta, await ctx.hub.repos.commitAt(meta, meta.defaultBranch), false));
  }
  openapiOk(ctx, {
    [`${type}s`]: page,
    total_count: sorted.length,
    page_number: pageNumber,
    page_size: pageSize,
  });
}

/** The legacy SDK's list body; numbers may arrive as strings. */
const LegacyListBody = z
  .object({
    Path: z.string().nullish(),
    PageNumber: z.union([z.number(), z.string()]).nullish(),
    PageSize: z.union([z.number(), z.string()]).nullish(),
  })
  .nullable();

/** Legacy `PUT /api/v1/models/` body `{Path, PageNumber, PageSize}` → `{Models, TotalCount}`. */
export async function legacyListModels(ctx: RequestContext): Promise<void> {
  const parsed = LegacyListBody.safeParse(await readMsJson(ctx, "small"));
  if (!parsed.success)
    throw new HttpError(400, "request body must be a JSON object {Path, PageNumber, PageSize}");
  const body = parsed.data ?? {};
  const pageSize = Math.min(Math.max(Number(body.PageSize) || 10, 1), 100);
  const pageNumber = Math.max(Number(body.PageNumber) || 1, 1);
  const all = visibleRepos(ctx, "model").filter((m) => matches(m, body.Path ?? null, null));
  const models = [];
  for (const meta of all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)) {
    models.push(await msRepoInfo(ctx, meta, await ctx.hub.repos.commitAt(meta, meta.defaultBranch)));
  }
  msOk(ctx, { Models: models, TotalCount: all.length });
}

/** `GET /api/v1/datasets?PageNumber=&PageSize=[&owner=]` → top-level Data list. */
export async function legacyListDatasets(ctx: RequestContext): Promise<void> {
  const q = ctx.url.searchParams;
  const pageSize = Math.min(Math.max(Number(q.get("PageSize")) || 10, 1), 100);
  const pageNumber = Math.max(Number(q.get("PageNumber")) || 1, 1);
  const all = visibleRepos(ctx, "dataset").filter((m) =>
    matches(m, q.get("owner"), q.get("Search") ?? q.get("search")),
  );
  const items = [];
  for (const meta of all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)) {
    items.push(await msRepoInfo(ctx, meta, await ctx.hub.repos.commitAt(meta, meta.defaultBranch)));
  }
  msOk(ctx, items, { TotalCount: all.length, PageNumber: pageNumber, PageSize: pageSize });
}
