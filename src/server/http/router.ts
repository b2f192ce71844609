import type { RequestContext } from "./context.js";
import type { Bucket } from "./rate-limit.js";

export type Handler = (ctx: RequestContext) => Promise<void>;

/** Renders an error in one face's dialect (HF: X-Error-Code + {error}; ModelScope: its envelope). */
export type ErrorRenderer = (ctx: RequestContext, err: unknown) => void;

export interface Route {
  name: string;
  methods: string[];
  pattern: RegExp;
  bucket: Bucket;
  handler: Handler;
  renderError: ErrorRenderer;
  /** The route checks its own bearer credential (the Xet CAS takes Xet tokens, not hub tokens). */
  ownAuth?: boolean;
}

/**
 * Matches a route against the raw (still percent-encoded) path, then decodes each captured group;
 * `malformed` names the first group that is not valid percent-encoding.
 */
export function matchRoute(
  routes: Route[],
  method: string,
  rawPath: string,
):
  | { route: Route; params: Record<string, string>; malformed?: string }
  | { methodNotAllowed: Route }
  | undefined {
  let wrongMethod: Route | undefined;
  for (const route of routes) {
    const m = route.pattern.exec(rawPath);
    if (!m) continue;
    if (!route.methods.includes(method)) {
      wrongMethod ??= route;
      continue;
    }
    const params: Record<string, string> = {};
    let malformed: string | undefined;
    for (const [key, value] of Object.entries(m.groups ?? {})) {
      if (value === undefined) continue;
      try {
        params[key] = decodeURIComponent(value);
      } catch {
        // A bad %-escape is the caller's mistake: the dispatcher answers 400 naming the part.
        malformed ??= key;
        params[key] = value;
      }
    }
    return malformed ? { route, params, malformed } : { route, params };
  }
  return wrongMethod ? { methodNotAllowed: wrongMethod } : undefined;
}
