import { parseRepoCard } from "../../core/repo-card.js";
import { isRepoType, type RepoType } from "../../core/repo-type.js";
import { canReadPrivate } from "../auth/users.js";
import { type RequestContext, readJson, sendJson, sendText } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { paginate } from "../http/paginate.js";
import { type CardReport, checkCardMetadata } from "./card-rules.js";
import { typeFromPlural } from "./hf-repo-access.js";
import { repoInfoJson } from "./hf-serialize.js";

const SORT_KEYS: Record<string, string> = {
  last_modified: "lastModified",
  lastModified: "lastModified",
  created_at: "createdAt",
  createdAt: "createdAt",
  downloads: "downloads",
  likes: "likes",
  id: "id",
  trending_score: "likes",
  trendingScore: "likes",
};

/**
 * `GET /api/models|datasets|spaces`: `search` (substring of the id), `author`, `filter` (tags, all
 * must match), `pipeline_tag`, `sort` + `direction` (descending by default), `limit`, `full`,
 * cursor pagination. Private repos are listed only for their owner.
 */
export async function searchRepos(ctx: RequestContext): Promise<void> {
  const q = ctx.url.searchParams;
  const type = typeFromPlural(ctx.params.types);
  const searches = q.getAll("search").map((s) => s.toLowerCase());
  const author = q.get("author");
  const filters = q
    .getAll("filter")
    .flatMap((f) => f.split(","))
    .filter(Boolean);
  const pipelineTag = q.get("pipeline_tag");
  const sortParam = q.get("sort");
  const sortKey = sortParam ? SORT_KEYS[sortParam] : undefined;
  if (sortParam && !sortKey)
    throw new HttpError(
      400,
      `Invalid sort "${sortParam}": use downloads, likes, lastModified, createdAt or id`,
    );
  const direction = q.get("direction") === "1" ? 1 : -1;
  const limitParam = q.get("limit");
  const limit = limitParam === null ? undefined : Number(limitParam);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new HttpError(400, `Invalid limit "${limitParam}": a positive whole number`);
  const full = ["true", "1"].includes(q.get("full") ?? "");

  const visible = ctx.hub.repos
    .all("hf", type)
    .filter((m) => !m.private || canReadPrivate(ctx.who, m.namespace));
  const items: Record<string, unknown>[] = [];
  for (const meta of visible) {
    const id = `${meta.namespace}/${meta.name}`;
    if (author && meta.namespace !== author) continue;
    if (searches.some((s) => !id.toLowerCase().includes(s))) continue;
    const commit = await ctx.hub.repos.commitAt(meta, "HEAD");
    const info = await repoInfoJson(ctx, meta, commit, { siblings: full, blobs: false });
    const tags = info.tags as string[];
    if (
      filters.some(
        (f) => !tags.includes(f) && info.pipeline_tag !== f && info.library_name !== f && info.sdk !== f,
      )
    )
      continue;
    if (pipelineTag && info.pipeline_tag !== pipelineTag) continue;
    if (!full) delete info.cardData;
    items.push(info);
  }
  if (sortKey) {
    items.sort((a, b) => {
      const av = a[sortKey] as string | number;
      const bv = b[sortKey] as string | number;
      return (av < bv ? -1 : av > bv ? 1 : 0) * direction;
    });
  } else {
    items.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  const pageSize = Math.min(limit ?? ctx.hub.options.searchPageSize, ctx.hub.options.searchPageSize);
  const { page, headers } = paginate(ctx, limit !== undefined ? items.slice(0, limit) : items, pageSize);
  sendJson(ctx, 200, page, headers);
}

/** `POST /api/validate-yaml`: always JSON, 400 with `errors[].message` when the card metadata is broken. */
/**
 * `POST /api/validate-yaml` `{content, repoType}`: the card's YAML and the types and values of its
 * main keys. JSON `{errors, warnings}`, 400 when there are errors; `Accept: text/plain` (RepoCard's
 * validate) gets the error messages as text, which the client raises as a ValueError.
 */
export async function validateYaml(ctx: RequestContext): Promise<void> {
  const body = (await readJson(ctx)) as { content?: unknown; repoType?: unknown } | null;
  if (!body || typeof body.content !== "string")
    throw new HttpError(400, "Expected a JSON body with a string `content`");
  const type = isRepoType(String(body.repoType ?? "model"))
    ? (String(body.repoType ?? "model") as RepoType)
    : "model";
  const card = parseRepoCard(body.content);
  const report: CardReport = card.error
    ? { errors: [{ message: card.error }], warnings: [] }
    : checkCardMetadata(card.data ?? {}, type);
  const status = report.errors.length ? 400 : 200;
  if ((ctx.req.headers.accept ?? "").startsWith("text/plain")) {
    sendText(ctx, status, report.errors.map((e) => e.message).join("\n"));
    return;
  }
  sendJson(ctx, status, report);
}
