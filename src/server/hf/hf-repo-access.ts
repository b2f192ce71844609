import type { RepoType } from "../../core/repo-type.js";
import { canReadRepo } from "../auth/can-read-repo.js";
import { canWrite } from "../auth/users.js";
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
  return hfRepoById(ctx, type, ctx.params.ns!, ctx.params.name!, opts);
}

/**
 * A repo someone wants to change, and whether they own it. As on the real hub, any signed-in user
 * with a write-role token who can see a repo may open a pull request on it and push to the pull
 * requests they opened; only writers of the namespace change its branches (see `checkMayWriteRef`).
 */
export function hfRepoToChange(ctx: RequestContext): { meta: RepoMeta; owner: boolean } {
  const meta = visibleRepo(ctx, { write: true });
  const who = requireUser(ctx, "write to a repository");
  if (canWrite(who, meta.namespace)) return { meta, owner: true };
  // Files of a gated repo are for those granted access: a pull request would reach them.
  checkGated(ctx, meta);
  if (who.role === "read")
    throw new HttpError(
      403,
      `Your token is read-only: it cannot change ${meta.type}s/${meta.namespace}/${meta.name} nor open a pull request on it. Use a token with the write role.`,
    );
  return { meta, owner: false };
}

/** Owners write any ref; others only the pull-request refs (`refs/pr/N`) they opened. */
export function checkMayWriteRef(ctx: RequestContext, meta: RepoMeta, owner: boolean, ref: string): void {
  if (owner) return;
  if (meta.pullRequests[ref] && prAuthors(meta)[ref] === ctx.who?.user.name) return;
  throw cannotWrite(meta, true);
}

/** `HEAD` is the default branch and `refs/heads/x` is `x`; anything else is kept as given. */
export function branchName(meta: RepoMeta, rev: string): string {
  return rev === "HEAD" ? meta.defaultBranch : rev.replace(/^refs\/heads\//, "");
}

/** Who opened each pull request (`refs/pr/N` → user name); HF-only, so kept in the face's extras. */
export function prAuthors(meta: RepoMeta): Record<string, string> {
  meta.extra.prAuthors ??= {};
  return meta.extra.prAuthors as Record<string, string>;
}

function cannotWrite(meta: RepoMeta, suggestPr = false): HttpError {
  const id = `${meta.type}s/${meta.namespace}/${meta.name}`;
  return new HttpError(
    403,
    suggestPr
      ? `You don't have the rights to write to ${id}: only "${meta.namespace}" commits to its branches, and to a pull request only whoever opened it. Open a pull request instead (create_pr=True in huggingface_hub, "hf upload --create-pr").`
      : `You don't have the rights to write to ${id}. Use a token with write access to "${meta.namespace}".`,
  );
}

/** The repo of the route, or RepoNotFound when it is missing or private to others. */
function visibleRepo(ctx: RequestContext, opts: { write?: boolean; type?: RepoType }): RepoMeta {
  const type =
    opts.type ?? typeFromPlural(ctx.params.types ?? (ctx.params.prefix ? ctx.params.prefix : undefined));
  return visibleById(ctx, type, ctx.params.ns!, ctx.params.name!, opts.write);
}

function visibleById(
  ctx: RequestContext,
  type: RepoType,
  namespace: string,
  name: string,
  write = false,
): RepoMeta {
  const meta = findHfRepo(ctx, type, namespace, name);
  if (!meta || (meta.private && !canReadRepo(ctx.who, meta))) {
    if (write && !ctx.who) requireUser(ctx, "write to a repository");
    throw repoNotFound(ctx);
  }
  return meta;
}

/** Like `hfRepo`, for a repo named in a request body rather than by the route (a copy's target). */
export function hfRepoById(
  ctx: RequestContext,
  type: RepoType,
  namespace: string,
  name: string,
  opts: { write?: boolean } = {},
): RepoMeta {
  const meta = visibleById(ctx, type, namespace, name, opts.write);
  if (opts.write) {
    requireUser(ctx, "write to a repository");
    if (!canWrite(ctx.who, meta.namespace)) throw cannotWrite(meta);
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
  if (!meta.gated || canReadRepo(ctx.who, meta)) return;
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
