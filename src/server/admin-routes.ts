import { type RequestContext, readJson, sendJson } from "./http/context.js";
import { FaultRuleSchema } from "./http/faults.js";
import { HttpError } from "./http/http-error.js";
import type { Route } from "./http/router.js";

/**
 * `/_hubferry/*`: the local hub's own controls. Faults only when the server was started with
 * fault injection enabled; request counters always (benchmarks read them).
 */
export function adminRoutes(): Route[] {
  const route = (name: string, methods: string[], pattern: RegExp, handler: Route["handler"]): Route => ({
    name,
    methods,
    pattern,
    bucket: "api",
    handler,
    renderError: renderPlainError,
  });
  const faultsEnabled = (ctx: RequestContext) => {
    if (!ctx.hub.options.enableFaults) {
      throw new HttpError(403, "Fault injection is off; start the server with --enable-faults to use it.");
    }
  };
  return [
    route("admin", ["GET"], /^\/_hubferry\/health$/, async (ctx) => sendJson(ctx, 200, { ok: true })),
    route("admin", ["GET"], /^\/_hubferry\/stats$/, async (ctx) =>
      sendJson(ctx, 200, { requests: Object.fromEntries(ctx.hub.requestCounts) }),
    ),
    route("admin", ["DELETE"], /^\/_hubferry\/stats$/, async (ctx) => {
      ctx.hub.requestCounts.clear();
      sendJson(ctx, 200, { ok: true });
    }),
    route("admin", ["GET"], /^\/_hubferry\/faults$/, async (ctx) => {
      faultsEnabled(ctx);
      sendJson(ctx, 200, { rules: ctx.hub.faults.list() });
    }),
    route("admin", ["POST"], /^\/_hubferry\/faults$/, async (ctx) => {
      faultsEnabled(ctx);
      const body = await readJson(ctx);
      const list = Array.isArray(body) ? body : [body];
      const parsed = list.map((r) => FaultRuleSchema.safeParse(r));
      const bad = parsed.find((p) => !p.success);
      if (bad && !bad.success)
        throw new HttpError(400, `Invalid fault rule: ${bad.error.issues[0]?.message}`);
      const rules = list.map((r) => ctx.hub.faults.add(r));
      sendJson(ctx, 200, { rules });
    }),
    route("admin", ["DELETE"], /^\/_hubferry\/faults$/, async (ctx) => {
      faultsEnabled(ctx);
      ctx.hub.faults.clear();
      sendJson(ctx, 200, { ok: true });
    }),
  ];
}

/** Face-neutral error rendering (admin routes). */
export function renderPlainError(ctx: RequestContext, err: unknown): void {
  if (err instanceof HttpError) sendJson(ctx, err.status, { error: err.message }, err.opts.headers);
  else sendJson(ctx, 500, { error: `Internal error: ${(err as Error).message}` });
}
