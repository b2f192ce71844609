import { HttpError } from "../http/http-error.js";
import { UpstreamCorrupt } from "./mirrored-commit.js";
import { UpstreamNotFound, UpstreamRefused, UpstreamUnreachable } from "./upstream.js";

/**
 * How a face answers for an upstream that failed: 504 when it could not be reached (never a
 * not-found: the repo may well exist), 502 when it answered wrongly, and upstream's own not-found
 * as the face's.
 */
export function upstreamHttpError(endpoint: string, err: unknown): HttpError | undefined {
  if (err instanceof UpstreamUnreachable)
    return new HttpError(504, `Upstream ${endpoint} could not be reached (${err.message}); try again later`, {
      code: "UpstreamUnreachable",
    });
  if (err instanceof UpstreamRefused)
    return new HttpError(502, `Upstream ${endpoint} refused the mirror's credentials: ${err.message}`);
  if (err instanceof UpstreamCorrupt)
    return new HttpError(
      502,
      `Upstream ${endpoint} sent bad bytes, which were neither served nor kept: ${err.message}`,
    );
  if (err instanceof UpstreamNotFound)
    return new HttpError(404, err.message, {
      code:
        err.what === "file" ? "EntryNotFound" : err.what === "revision" ? "RevisionNotFound" : "RepoNotFound",
    });
  return undefined;
}
