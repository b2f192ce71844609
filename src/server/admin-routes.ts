import { type RequestContext, readJson, sendJson } from "./http/context.js";
import { FaultRuleSchema } from "./http/faults.js";
import { HttpError } from "./http/http-error.js";
import type { Route } from "./http/router.js";

/**
 * `/_hubferry/*`: the local hub's own controls. `health` answers anyone (a liveness probe says
 * nothing about the store). `stats` needs an admin: a user marked `admin: true` in the users
 * file (the user `serve` makes by itself when given none is one). `faults` exist only when the
 * server was started with --enable-faults (404 otherwise), and need an admin too. `routes` lists
 * what the router matches, in its order (methods, name, pattern), for an admin: read-only, it is
 * what a fuzzer or a proxy config is built from.
 */
export function adminRoutes(table: () => Route[] = () => []): Route[] {
  const route = (_name: string, methods: string[], pattern: RegExp, handler: Route["handler"]): Route => ({
    // One name for all: benchmarks leave the hub's own calls out of request counts by it.
    name: "admin",
    methods,
    pattern,
    bucket: "api",
    handler,
    renderError: renderPlainError,
  });
  const admin = (handler: Route["handler"]): Route["handler"] => {
    return async (ctx) => {
      requireAdmin(ctx);
      await handler(ctx);
    };
  };
  const faults = (handler: Route["handler"]): Route["handler"] => {
    return async (ctx) => {
      if (!ctx.hub.options.enableFaults) throw new HttpError(404, "Not Found");
      requireAdmin(ctx);
      await handler(ctx);
    };
  };
  return [
    route("health", ["GET"], /^\/_hubferry\/health$/, async (ctx) => sendJson(ctx, 200, { ok: true })),
    route(
      "stats",
      ["GET"],
      /^\/_hubferry\/stats$/,
      admin(async (ctx) =>
        sendJson(ctx, 200, {
          requests: Object.fromEntries(ctx.hub.requestCounts),
          multipart: { readBackBytes: ctx.hub.multipart.readBackBytes },
        }),
      ),
    ),
    route(
      "stats",
      ["DELETE"],
      /^\/_hubferry\/stats$/,
      admin(async (ctx) => {
        ctx.hub.requestCounts.clear();
        sendJson(ctx, 200, { ok: true });
      }),
    ),
    route(
      "routes",
      ["GET"],
      /^\/_hubferry\/routes$/,
      admin(async (ctx) => sendJson(ctx, 200, { routes: describeRoutes(table()) })),
    ),
    route(
      "faults",
      ["GET"],
      /^\/_hubferry\/faults$/,
      faults(async (ctx) => sendJson(ctx, 200, { rules: ctx.hub.faults.list() })),
    ),
    route(
      "faults",
      ["POST"],
      /^\/_hubferry\/faults$/,
      faults(async (ctx) => {
        const body = await readJson(ctx);
        const list = Array.isArray(body) ? body : [body];
        const parsed = list.map((r) => FaultRuleSchema.safeParse(r));
        const bad = parsed.find((p) => !p.success);
        if (bad && !bad.success)
          throw new HttpError(400, `Invalid fault rule: ${bad.error.issues[0]?.message}`);
        const rules = list.map((r) => ctx.hub.faults.add(r));
        sendJson(ctx, 200, { rules });
      }),
    ),
    route(
      "faults",
      ["DELETE"],
      /^\/_hubferry\/faults$/,
      faults(async (ctx) => {
        ctx.hub.faults.clear();
        sendJson(ctx, 200, { ok: true });
      }),
    ),
  ];
}

/** The route table as data: each route's methods, name and the source of its (raw-path) pattern. */
export function describeRoutes(routes: Route[]): { name: string; methods: string[]; pattern: string }[] {
  return routes.map((r) => ({ name: r.name, methods: [...r.methods], pattern: r.pattern.source }));
}

function requireAdmin(ctx: RequestContext): void {
  if (!ctx.who)
    throw new HttpError(401, "The hub's admin routes need an admin token (Authorization: Bearer ...).");
  if (!ctx.who.user.admin)
    throw new HttpError(
      403,
      `User "${ctx.who.user.name}" is not an admin of this hub (admin: true in the users file).`,
    );
}

/** Face-neutral error rendering (admin routes). */
export function renderPlainError(ctx: RequestContext, err: unknown): void {
  if (err instanceof HttpError) sendJson(ctx, err.status, { error: err.message }, err.opts.headers);
  else sendJson(ctx, 500, { error: "Internal error; the server log has the details" });
}
