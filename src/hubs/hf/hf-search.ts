import { nextLink } from "../../core/http/http-client.js";
import { parseAs } from "../../core/http/parse.js";
import type { SearchHit, SearchQuery } from "../hub.js";
import type { HfHub } from "./hf-hub.js";
import { SearchItemSchema } from "./hf-schemas.js";

const SORTS = { downloads: "downloads", likes: "likes", updated: "lastModified", created: "createdAt" };

/** Search parameters as huggingface_hub's `list_models/list_datasets/list_spaces` send them. */
export function hfSearchParams(q: SearchQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.text) p.set("search", q.text);
  if (q.author) p.set("author", q.author);
  const filters: string[] = [];
  if (q.type === "model") {
    if (q.task) p.set("pipeline_tag", q.task);
    if (q.library) filters.push(q.library);
    if (q.language) filters.push(q.language);
  } else if (q.type === "dataset") {
    if (q.task) filters.push(`task_categories:${q.task}`);
    if (q.language) filters.push(`language:${q.language}`);
    if (q.size) filters.push(`size_categories:${q.size}`);
    if (q.library) filters.push(`library:${q.library}`);
  } else if (q.sdk) filters.push(q.sdk);
  for (const f of filters) p.append("filter", f);
  if (q.sort) {
    p.set("sort", SORTS[q.sort]);
    p.set("direction", "-1");
  }
  p.set("limit", String(q.limit));
  for (const e of ["downloads", "likes", "lastModified", "private", "tags"]) p.append("expand[]", e);
  if (q.type === "model") p.append("expand[]", "pipeline_tag");
  return p;
}

export async function hfSearch(hub: HfHub, q: SearchQuery): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  let url: string | undefined = `${hub.endpoint}/api/${q.type}s?${hfSearchParams(q)}`;
  while (url && hits.length < q.limit) {
    const res = await hub.http.request("GET", url, { retry: true });
    for (const item of parseAs(SearchItemSchema.array(), await res.json(), `GET /api/${q.type}s`)) {
      const task =
        item.pipeline_tag ??
        item.tags?.find((t) => t.startsWith("task_categories:"))?.slice("task_categories:".length);
      hits.push({
        id: item.id,
        type: q.type,
        downloads: item.downloads ?? undefined,
        likes: item.likes ?? undefined,
        updated: item.lastModified ?? item.createdAt ?? undefined,
        task: task ?? undefined,
        private: item.private ?? undefined,
      });
    }
    url = nextLink(res);
  }
  return hits.slice(0, q.limit);
}
