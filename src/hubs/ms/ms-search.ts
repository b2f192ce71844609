import { HubferryError } from "../../core/errors.js";
import { parseAs } from "../../core/http/parse.js";
import type { SearchHit, SearchQuery } from "../hub.js";
import type { MsHub } from "./ms-hub.js";
import { MsSearchItemSchema, MsSearchSchema } from "./ms-schemas.js";

const SORTS = { downloads: "downloads", likes: "likes", updated: "last_modified", created: undefined };
const PAGE = 50;
const MAX_PAGES = 40;

/**
 * ModelScope's OpenAPI search takes text, owner and sort; task, library and language are matched
 * here against each item's tasks and tags, reading on until `limit` hits or the listing ends.
 */
export async function msSearch(hub: MsHub, q: SearchQuery): Promise<SearchHit[]> {
  if (q.type === "space")
    throw new HubferryError(
      "BAD_INPUT",
      "ModelScope studios cannot be searched through the API",
      "search models or datasets on ModelScope, or spaces on Hugging Face (hf:)",
    );
  const wanted = [q.library, q.language, q.size].filter((x): x is string => !!x).map((x) => x.toLowerCase());
  const hits: SearchHit[] = [];
  for (let page = 1; page <= MAX_PAGES && hits.length < q.limit; page++) {
    const p = new URLSearchParams({ page_number: String(page), page_size: String(PAGE) });
    if (q.text) p.set("search", q.text);
    if (q.author) p.set("owner", q.author);
    const sort = q.sort && SORTS[q.sort];
    if (sort) p.set("sort", sort);
    const res = await hub.http.request("GET", `${hub.endpoint}/openapi/v1/${q.type}s?${p}`, { retry: true });
    const data = parseAs(MsSearchSchema, await res.json(), `GET /openapi/v1/${q.type}s`).data;
    const items = (q.type === "model" ? data.models : data.datasets) ?? [];
    for (const raw of items) {
      const item = parseAs(MsSearchItemSchema, raw, `GET /openapi/v1/${q.type}s item`);
      const tags = (item.tags ?? []).map((t) => t.toLowerCase());
      const tasks = item.tasks ?? [];
      if (q.task && !tasks.includes(q.task)) continue;
      if (wanted.some((w) => !tags.includes(w) && !tags.some((t) => t.endsWith(`:${w}`)))) continue;
      hits.push({
        id: item.id,
        type: q.type,
        downloads: item.downloads ?? undefined,
        likes: item.likes ?? undefined,
        updated: item.last_modified ?? undefined,
        task: tasks[0],
        private: item.private ?? undefined,
      });
    }
    if (items.length < PAGE || page * PAGE >= data.total_count) break;
  }
  return hits.slice(0, q.limit);
}
