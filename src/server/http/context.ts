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
/** How much of a refused body is read and dropped so the client gets the 413 before the cut. */
const DRAIN_AFTER_REFUSAL = 64 * 1024 * 1024;

/** A limit in binary units, exactly (these limits are whole KiB or MiB). */
function binarySize(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * Reads and drops what is left of a refused body, so the client (which sends its whole body
 * before reading) still gets the answer; past `max` more bytes the connection is cut instead.
 */
export function discardRest(req: IncomingMessage, max = DRAIN_AFTER_REFUSAL): void {
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.byteLength;
    if (dropped > max) req.socket?.destroy();
  });
  req.resume();
}

/**
 * The request body, at most `limit` bytes held in memory: a Content-Length over it is refused
 * before a byte is read, a longer (chunked) body the moment it passes the limit. The 413 names
 * the limit and, with `hint`, what to do instead.
 */
export function readBody(ctx: RequestContext, limit = MAX_SMALL_BODY, hint = ""): Promise<Buffer> {
  const req = ctx.req;
  const tooLarge = () =>
    new HttpError(
      413,
      `Request body too large: ${ctx.method} ${ctx.url.pathname} takes at most ${binarySize(limit)}${hint ? `; ${hint}` : ""}`,
    );
  if (Number(req.headers["content-length"] ?? 0) > limit) {
    discardRest(req);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err?: Error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", finish);
      req.off("close", onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) return void chunks.push(chunk);
      chunks.length = 0;
      finish(tooLarge());
      discardRest(req);
    };
    const onEnd = () => finish();
    const onClose = () => finish(new HttpError(400, "The client went away before the request body ended"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", finish);
    req.on("close", onClose);
  });
}

export async function readJson(ctx: RequestContext, limit = MAX_SMALL_BODY, hint = ""): Promise<unknown> {
  const body = await readBody(ctx, limit, hint);
  try {
    return JSON.parse(body.toString("utf8") || "null");
  } catch {
    throw new HttpError(400, "Request body is not valid JSON");
  }
}
