import type { RequestContext } from "../http/context.js";
import type { Handler } from "../http/router.js";
import type { RepoKey } from "../store/repo-store.js";

/** The repo a route names, in one face's terms (undefined: the route names none). */
export type RouteRepo = (ctx: RequestContext) => RepoKey | undefined;

/**
 * A read route of a face, in front of which the mirror fills the store from upstream (the route
 * itself then reads the store as for any local repo). Without a mirror it is the handler itself.
 */
export function mirrorRead(
  handler: Handler,
  repoOf: RouteRepo,
  revisionOf: (ctx: RequestContext) => string | undefined,
): Handler {
  return async (ctx) => {
    const k = ctx.hub.mirror && repoOf(ctx);
    if (k) await ctx.hub.mirror!.ensure(k, revisionOf(ctx), ctx.who);
    await handler(ctx);
  };
}

/** A write route: refused in a mirrored namespace, with what to do instead. */
export function mirrorRefusesWrite(handler: Handler, repoOf: RouteRepo): Handler {
  return async (ctx) => {
    const k = ctx.hub.mirror && repoOf(ctx);
    if (k) ctx.hub.mirror!.refuseWrite(k.face, k.namespace);
    await handler(ctx);
  };
}
