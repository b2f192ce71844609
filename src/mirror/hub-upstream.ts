import { HubferryError } from "../core/errors.js";
import type { RetryPolicy } from "../core/http/http-client.js";
import type { RepoRef } from "../core/repo-ref.js";
import type { RepoType } from "../core/repo-type.js";
import type { Hub, RepoDetails } from "../hubs/hub.js";
import {
  type Upstream,
  type UpstreamFile,
  UpstreamNotFound,
  UpstreamRefused,
  type UpstreamRepo,
  UpstreamUnreachable,
} from "../server/mirror/upstream.js";

/**
 * A mirror's retries: a few quick ones, then the store answers (or a 504 says upstream is down).
 * A client waiting on a mirror should not wait out a whole minute of backoff.
 */
export const MIRROR_RETRY: RetryPolicy = { retries: 2, baseMs: 250, maxMs: 2_000 };

/** An upstream spoken to through hubferry's own backend for that hub (HF or ModelScope). */
export function hubUpstream(hub: Hub): Upstream {
  const details = (type: RepoType, repo: UpstreamRepo): RepoDetails => ({
    id: repo.id,
    type,
    private: repo.private,
    sha: repo.sha,
    revision: repo.sha,
    gated: repo.gated,
    tags: [],
  });
  const ref = (type: RepoType, id: string): RepoRef => ({ hub: hub.name, type, id, typeKnown: true });
  return {
    face: hub.name,
    endpoint: hub.endpoint,
    async repo(type, id, revision) {
      try {
        const d = await hub.repoInfo(ref(type, id), revision);
        return {
          id: d.id,
          sha: d.sha,
          private: d.private,
          gated: d.gated === true ? "auto" : d.gated === "manual" ? "manual" : d.gated ? "auto" : false,
          ...(d.lastModified ? { lastModified: d.lastModified } : {}),
          ...(d.sdk ? { sdk: d.sdk } : {}),
          ...(d.license ? { license: d.license } : {}),
        };
      } catch (err) {
        throw asUpstreamError(err);
      }
    },
    async files(type, id, repo) {
      try {
        const listed = await hub.sourceFromInfo(ref(type, id), details(type, repo)).list();
        return listed.map(
          (f): UpstreamFile => ({
            path: f.path,
            size: f.size,
            lfs: f.lfs ?? false,
            ...(f.sha256 ? { sha256: f.sha256 } : {}),
            ...(f.gitOid ? { gitOid: f.gitOid } : {}),
          }),
        );
      } catch (err) {
        throw asUpstreamError(err);
      }
    },
    async read(type, id, repo, path, start, end, signal) {
      try {
        return await hub.sourceFromInfo(ref(type, id), details(type, repo)).read(path, start, end, signal);
      } catch (err) {
        throw asUpstreamError(err);
      }
    },
  };
}

/** The backend's error, in the terms the mirror answers by (its message names no token). */
function asUpstreamError(err: unknown): Error {
  if (!(err instanceof HubferryError)) return new UpstreamUnreachable((err as Error)?.message ?? String(err));
  switch (err.code) {
    case "REPO_NOT_FOUND":
      return new UpstreamNotFound("repo", err.message);
    case "REVISION_NOT_FOUND":
      return new UpstreamNotFound("revision", err.message);
    case "FILE_NOT_FOUND":
      return new UpstreamNotFound("file", err.message);
    case "AUTH_INVALID":
    case "AUTH_MISSING":
    case "FORBIDDEN":
      return new UpstreamRefused(err.message);
    default:
      return new UpstreamUnreachable(err.message);
  }
}
