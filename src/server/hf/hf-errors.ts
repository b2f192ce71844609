import { type RequestContext, sendJson } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import { BlobMismatchError } from "../store/blob-store.js";
import { EntryNotFound, ParentMismatch, RevisionNotFound } from "../store/repo-store.js";

/** Hugging Face error dialect: status, `X-Error-Code`, `X-Error-Message` and a JSON `{error}` body. */
export function renderHfError(ctx: RequestContext, err: unknown): void {
  const e = toHttpError(err);
  const headers: Record<string, string> = { ...e.opts.headers };
  if (e.opts.code) headers["X-Error-Code"] = e.opts.code;
  headers["X-Error-Message"] ??= headerSafe(e.message);
  sendJson(ctx, e.status, e.opts.body ?? { error: e.message }, headers);
}

function headerSafe(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?").slice(0, 500);
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof RevisionNotFound) return new HttpError(404, err.message, { code: "RevisionNotFound" });
  if (err instanceof EntryNotFound) return new HttpError(404, err.message, { code: "EntryNotFound" });
  // The real hub's text since 2026-03 (huggingface_hub e58d45d82, test_create_commit_conflict).
  if (err instanceof ParentMismatch)
    return new HttpError(
      412,
      "The branch was updated since you opened this page. Please refresh and try again.",
    );
  if (err instanceof BlobMismatchError) return new HttpError(400, err.message);
  return new HttpError(500, `Internal error: ${(err as Error)?.message ?? String(err)}`);
}

/**
 * A missing (or hidden) repo, as the real hub answers: 401 "Invalid username or password." to an
 * anonymous caller, 404 "Repository not found" to an authenticated one, both with
 * `X-Error-Code: RepoNotFound` (Python's 401 fallback only applies to https URLs).
 */
export function repoNotFound(ctx?: { who?: unknown }): HttpError {
  if (ctx && !ctx.who) return new HttpError(401, "Invalid username or password.", { code: "RepoNotFound" });
  return new HttpError(404, "Repository not found", { code: "RepoNotFound" });
}

/** Any route on a repo id without a namespace: no such repo can exist here. */
export async function noNamespace(ctx: { who?: unknown }): Promise<void> {
  throw repoNotFound(ctx);
}
