import type { RepoType } from "../../core/repo-type.js";
import { canReadRepo } from "../auth/can-read-repo.js";
import { canWrite } from "../auth/users.js";
import type { RequestContext } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { RepoMeta } from "../store/repo-store.js";

export function msTypeFromPlural(plural: string | undefined): RepoType {
  return plural === "datasets" ? "dataset" : "model";
}

/**
 * 401 with a plain code: modelscope-hub treats the site's code 10030000001 on a commit as
 * "try again" (it is also the commit-lock code) and would retry an anonymous commit for half a minute.
 */
export function notLoggedIn(): HttpError {
  return new HttpError(401, "user not logged in");
}

export function msNotFound(type: RepoType, id: string): HttpError {
  return new HttpError(
    404,
    type === "dataset" ? `dataset ${id} does not exist` : `model ${id} does not exist`,
  );
}

/**
 * The ModelScope repo named by the route (`ns`/`name`, or a dataset's numeric `id`). Private
 * repos are 404 to others; writes need a write token of the namespace (403 otherwise, and the
 * real site's "not logged in" without any credentials).
 */
export function msRepo(ctx: RequestContext, opts: { write?: boolean; type?: RepoType } = {}): RepoMeta {
  const type = opts.type ?? msTypeFromPlural(ctx.params.types);
  let meta: RepoMeta | undefined;
  let id: string;
  if (ctx.params.numericId) {
    id = ctx.params.numericId;
    meta = ctx.hub.repos.all("ms", type).find((m) => String(m.extra.numericId) === id);
  } else {
    id = `${ctx.params.ns}/${ctx.params.name}`;
    meta = ctx.hub.repos.get({ face: "ms", type, namespace: ctx.params.ns!, name: ctx.params.name! });
  }
  if (opts.write && !ctx.who) throw notLoggedIn();
  if (!meta || (meta.private && !canReadRepo(ctx.who, meta))) throw msNotFound(type, id);
  if (opts.write && !canWrite(ctx.who, meta.namespace)) {
    throw new HttpError(403, `no write permission to repository ${type}s/${meta.namespace}/${meta.name}`);
  }
  return meta;
}

export function msRepoId(meta: RepoMeta): string {
  return `${meta.namespace}/${meta.name}`;
}
