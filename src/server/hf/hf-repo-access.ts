import type { RepoType } from "../../core/repo-type.js";
import { canReadPrivate, canWrite } from "../auth/users.js";
import { type RequestContext, requireUser } from "../http/context.js";
import { HttpError } from "../http/http-error.js";
import type { RepoMeta } from "../store/repo-store.js";
import { repoNotFound } from "./hf-errors.js";

export function typeFromPlural(plural: string | undefined): RepoType {
  if (plural === "datasets") return "dataset";
  if (plural === "spaces") return "space";
  return "model";
}

/**
 * Finds the repo named by the route. Private repos are invisible to anyone but their owner (404
 * RepoNotFound, exactly like a missing repo), and writing needs a write token of the namespace.
 */
export function hfRepo(ctx: RequestContext, opts: { write?: boolean; type?: RepoType } = {}): RepoMeta {
  const type =
    opts.type ?? typeFromPlural(ctx.params.types ?? (ctx.params.prefix ? ctx.params.prefix : undefined));
  const namespace = ctx.params.ns!;
  const name = ctx.params.name!;
  const meta = findHfRepo(ctx, type, namespace, name);
  if (!meta || (meta.private && !canReadPrivate(ctx.who, meta.namespace))) {
    if (opts.write && !ctx.who) requireUser(ctx, "write to a repository");
    throw repoNotFound(ctx);
  }
  if (opts.write) {
    requireUser(ctx, "write to a repository");
    if (!canWrite(ctx.who, meta.namespace)) {
      throw new HttpError(
        403,
        `You don't have the rights to write to ${type}s/${meta.namespace}/${meta.name}. Use a token with write access to "${meta.namespace}".`,
      );
    }
  }
  return meta;
}

/** Repo ids resolve case-insensitively on the real hub (`Foo/BAR` finds `foo/bar`). */
export function findHfRepo(
  ctx: RequestContext,
  type: RepoType,
  namespace: string,
  name: string,
): RepoMeta | undefined {
  const exact = ctx.hub.repos.get({ face: "hf", type, namespace, name });
  if (exact) return exact;
  const id = `${namespace}/${name}`.toLowerCase();
  const all = ctx.hub.repos.all("hf", type);
  return (
    all.find((m) => `${m.namespace}/${m.name}`.toLowerCase() === id) ??
    // A moved repo keeps answering at its former ids.
    all.find((m) => ((m.extra.formerIds as string[] | undefined) ?? []).some((f) => f.toLowerCase() === id))
  );
}

/** Gated repos: metadata is public, file contents need the owner's (or an org member's) token. */
export function checkGated(ctx: RequestContext, meta: RepoMeta): void {
  if (!meta.gated || canReadPrivate(ctx.who, meta.namespace)) return;
  const id = `${meta.namespace}/${meta.name}`;
  const message = `Access to ${meta.type} ${id} is restricted and you are not in the authorized list. Visit ${ctx.baseUrl}/${webPrefix(meta)}${id} to ask for access.`;
  throw new HttpError(ctx.who ? 403 : 401, message, { code: "GatedRepo" });
}

export function webPrefix(meta: { type: RepoType }): string {
  return meta.type === "model" ? "" : `${meta.type}s/`;
}

export function repoUrl(ctx: RequestContext, meta: RepoMeta): string {
  return `${ctx.baseUrl}/${webPrefix(meta)}${meta.namespace}/${meta.name}`;
}
