import { randomUUID } from "node:crypto";
import { type RequestContext, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { BlobMismatchError } from "../store/blob-store.js";
import { EntryNotFound, ParentMismatch, RevisionNotFound } from "../store/repo-store.js";

/**
 * ModelScope's two JSON dialects: `/api/v1` wraps everything in a PascalCase envelope
 * `{Code, Message, Data, RequestId, Success}`; `/openapi/v1` uses `{success, data, request_id}`.
 */

function requestId(ctx: RequestContext): string {
  return ctx.headers["X-Request-Id"] ?? randomUUID();
}

export function msOk(
  ctx: RequestContext,
  data: unknown,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  sendJson(
    ctx,
    200,
    { Code: 200, Data: data, Message: "success", RequestId: requestId(ctx), Success: true, ...extra },
    headers,
  );
}

export function openapiOk(ctx: RequestContext, data: unknown): void {
  sendJson(ctx, 200, { success: true, data, request_id: requestId(ctx) });
}

/** Known ModelScope error codes the SDKs recognise. */
export const MS_CODES = {
  modelExists: 10010101001,
  datasetExists: 10020101001,
  notLoggedIn: 10030000001,
  commitLockBusy: 10030000001,
} as const;

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof RevisionNotFound)
    return new HttpError(404, `revision not found: ${err.message.replace(/^Invalid rev id: /, "")}`);
  if (err instanceof EntryNotFound) return new HttpError(404, err.message);
  if (err instanceof ParentMismatch) return new HttpError(409, err.message);
  if (err instanceof BlobMismatchError) return new HttpError(400, err.message);
  return new HttpError(500, `internal error: ${(err as Error)?.message ?? String(err)}`);
}

export function renderMsError(ctx: RequestContext, err: unknown): void {
  const e = toHttpError(err);
  const code = typeof e.opts.code === "string" && /^\d+$/.test(e.opts.code) ? Number(e.opts.code) : e.status;
  sendJson(
    ctx,
    e.status,
    e.opts.body ?? { Code: code, Data: null, Message: e.message, RequestId: requestId(ctx), Success: false },
    e.opts.headers,
  );
}

export function renderOpenapiError(ctx: RequestContext, err: unknown): void {
  const e = toHttpError(err);
  const code =
    e.opts.code ??
    (e.status === 404
      ? "NotFound"
      : e.status === 401
        ? "InvalidAuthentication"
        : e.status === 403
          ? "PermissionDenied"
          : "Error");
  sendJson(
    ctx,
    e.status,
    { success: false, code, message: e.message, request_id: requestId(ctx) },
    e.opts.headers,
  );
}
