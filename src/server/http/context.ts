import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthedUser } from "../auth/users.js";
import type { HubState } from "../hub-state.js";
import { HttpError } from "./http-error.js";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Scheme + host the client used (or --public-url): every absolute URL we hand out starts with it. */
  baseUrl: string;
  route: string;
  params: Record<string, string>;
  hub: HubState;
  /** The caller, from `Authorization: Bearer` or a face-specific cookie; undefined when anonymous. */
  who: AuthedUser | undefined;
  /** Headers every response of this request carries (rate limits, request id). */
  headers: Record<string, string>;
}

export function requireUser(ctx: RequestContext, action = "perform this action"): AuthedUser {
  if (!ctx.who)
    throw new HttpError(
      401,
      `You must be authenticated to ${action}. Pass a token (Authorization: Bearer ...).`,
    );
  return ctx.who;
}

export function sendJson(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const data = Buffer.from(JSON.stringify(body));
  ctx.res.writeHead(status, {
    ...ctx.headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(data.byteLength),
    ...headers,
  });
  ctx.res.end(ctx.method === "HEAD" ? undefined : data);
}

export function sendText(
  ctx: RequestContext,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  const data = Buffer.from(text);
  ctx.res.writeHead(status, {
    ...ctx.headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(data.byteLength),
    ...headers,
  });
  ctx.res.end(ctx.method === "HEAD" ? undefined : data);
}

const MAX_SMALL_BODY = 64 * 1024 * 1024;

export async function readBody(ctx: RequestContext, limit = MAX_SMALL_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw new HttpError(413, `Request body too large (over ${limit} bytes)`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson(ctx: RequestContext): Promise<unknown> {
  const body = await readBody(ctx);
  try {
    return JSON.parse(body.toString("utf8") || "null");
  } catch {
    throw new HttpError(400, "Request body is not valid JSON");
  }
}
