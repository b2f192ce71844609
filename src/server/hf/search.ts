import pLimit from "p-limit";
import { parseRepoCard } from "../../core/repo-card.js";
import { isRepoType, type RepoType } from "../../core/repo-type.js";
import { canReadRepo } from "../auth/can-read-repo.js";
import { type RequestContext, readJson, sendJson, sendText } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { paginate } from "../http/paginate.js";
import type { HubState } from "../hub-state.js";
import { HeadSummaries, type Summarised } from "../store/head-summaries.js";
import type { RepoMeta } from "../store/repo-store.js";
import { type CardReport, checkCardMetadata } from "./card-rules.js";
import { typeFromPlural } from "./hf-repo-access.js";
import { type HeadFacts, headFacts, repoInfoJson, repoSummaryJson } from "./hf-serialize.js";

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

const summariesByHub = new WeakMap<HubState, HeadSummaries<HeadFacts>>();

/** The hub's search index: each HF repo's head facts, kept while its head stays the same. */
function headSummaries(hub: HubState): HeadSummaries<HeadFacts> {
  let index = summariesByHub.get(hub);
  if (!index) {
    index = new HeadSummaries(hub.repos, (meta, commit) => headFacts(hub, meta, commit));
    summariesByHub.set(hub, index);
  }
  return index;
}

/**
 * Builds the index once the hub listens, a few repos at a time, so that the first search of a
 * large store does not read every head (100,000 repos: about 7 s). A search meanwhile builds what
 * it needs itself; a repo that cannot be read is left for the search to skip.
 */
export async function warmSearchIndex(hub: HubState): Promise<void> {
  for (const type of ["model", "dataset", "space"] as const)
    await headSummaries(hub).of(hub.repos.all("hf", type), 4);
}

/** A `filter` value matches a tag, or a model's pipeline or library, or a space's SDK. */
function matchesFilter(meta: RepoMeta, facts: HeadFacts, filter: string): boolean {
  if (facts.tags.includes(filter)) return true;
  if (meta.type === "model") return facts.pipelineTag === filter || facts.libraryName === filter;
  if (meta.type === "space") return (meta.sdk ?? facts.cardSdk) === filter;
  return false;
}

function sortValue(ctx: RequestContext, row: Summarised<HeadFacts>, key: string): string | number {
  if (key === "lastModified") return row.summary.lastModified;
  if (key === "createdAt") return row.meta.createdAt;
  if (key === "downloads") return ctx.hub.repos.downloadCount(row.meta);
  if (key === "likes") return row.meta.likes;
  return `${row.meta.namespace}/${row.meta.name}`;
}

/**
 * `GET /api/models|datasets|spaces`: `search` (substring of the id), `author`, `filter` (tags, all
 * must match), `pipeline_tag`, `sort` + `direction` (descending by default), `limit`, `full`,
 * cursor pagination. Private repos are listed only for their owner. Filters and sorting work on
 * the index of head facts; only the page's items are rendered (and read whole, with `full`).
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

  // What the repo settings alone decide, before any commit is looked at.
  const candidates = ctx.hub.repos.all("hf", type).filter((m) => {
    if (m.private && !canReadRepo(ctx.who, m)) return false;
    if (author && m.namespace !== author) return false;
    const id = `${m.namespace}/${m.name}`.toLowerCase();
    return searches.every((s) => id.includes(s));
  });
  const rows = (await headSummaries(ctx.hub).of(candidates)).filter(
    (r) =>
      filters.every((f) => matchesFilter(r.meta, r.summary, f)) &&
      (!pipelineTag || (r.meta.type === "model" && r.summary.pipelineTag === pipelineTag)),
  );
  const byId = (r: Summarised<HeadFacts>) => `${r.meta.namespace}/${r.meta.name}`;
  if (sortKey) {
    const keyed = rows.map((r) => ({ r, v: sortValue(ctx, r, sortKey) }));
    keyed.sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0) * direction);
    rows.splice(0, rows.length, ...keyed.map((k) => k.r));
  } else {
    rows.sort((a, b) => byId(a).localeCompare(byId(b)));
  }
  const pageSize = Math.min(limit ?? ctx.hub.options.searchPageSize, ctx.hub.options.searchPageSize);
  const { page, headers } = paginate(ctx, limit !== undefined ? rows.slice(0, limit) : rows, pageSize);
  const read = pLimit(16); // with `full`, each item reads its commit: a few files open at a time
  const items = await Promise.all(page.map((r) => read(() => renderItem(ctx, r, full))));
  sendJson(ctx, 200, items, headers);
}

/** A search item: the summary, or with `full` the whole info at that head (card and file names). */
async function renderItem(
  ctx: RequestContext,
  row: Summarised<HeadFacts>,
  full: boolean,
): Promise<Record<string, unknown>> {
  if (!full) return repoSummaryJson(ctx, row.meta, row.summary);
  const commit = await ctx.hub.repos.loadCommit(row.meta, row.head);
  if (!commit) return repoSummaryJson(ctx, row.meta, row.summary);
  return repoInfoJson(ctx, row.meta, commit, { siblings: true, blobs: false });
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
