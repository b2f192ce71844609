import type { RequestContext } from "./context.js";
import { HttpError } from "./http-error.js";

/**
 * Cursor pagination the way the hub does it: a page of items plus an absolute
 * `Link: <url>; rel="next"` (both clients require an absolute URL and a space after ';').
 */
export function paginate<T>(
  ctx: RequestContext,
  items: readonly T[],
  pageSize: number,
): { page: T[]; headers: Record<string, string> } {
  const cursor = ctx.url.searchParams.get("cursor");
  let offset = 0;
  if (cursor) {
    const decoded = Number(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Number.isInteger(decoded) || decoded < 0) throw new HttpError(400, "Invalid cursor");
    offset = decoded;
  }
  const page = items.slice(offset, offset + pageSize);
  const headers: Record<string, string> = { "X-Total-Count": String(items.length) };
  if (offset + pageSize < items.length) {
    const next = new URL(ctx.url.pathname + ctx.url.search, ctx.baseUrl);
    next.searchParams.set("cursor", Buffer.from(String(offset + pageSize)).toString("base64url"));
    headers.Link = `<${next.toString()}>; rel="next"`;
  }
  return { page, headers };
}
