import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { adminRoutes } from "./admin-routes.js";
import type { UserTable } from "./auth/users.js";
import { hfRoutes } from "./hf/routes.js";
import type { RequestContext } from "./http/context.js";
import { sabotageBody, throttledRequest, throttleResponse } from "./http/faults.js";
import { HttpError } from "./http/http-error.js";
import { matchRoute, type Route } from "./http/router.js";
import { DEFAULT_HUB_OPTIONS, type HubOptions, HubState } from "./hub-state.js";
import { msRoutes } from "./ms/ms-routes.js";

export interface LocalHubOptions extends Partial<HubOptions> {
  root: string;
  users: UserTable;
  host?: string;
  port?: number;
}

export interface LocalHub {
  url: string;
  port: number;
  hub: HubState;
  close(): Promise<void>;
}

const INVALID_CREDENTIALS = "Invalid credentials in Authorization header";

/** Starts the local hub: one HTTP server, both API faces, one store. */
export async function startLocalHub(opts: LocalHubOptions): Promise<LocalHub> {
  const options: HubOptions = { ...DEFAULT_HUB_OPTIONS, ...stripUndefined(opts) };
  const hub = new HubState(opts.root, opts.users, options);
  await hub.init();
  const routes: Route[] = [...adminRoutes(), ...msRoutes(), ...hfRoutes()];
  const server = createServer((req, res) => {
    // No request may end the process: whatever escapes a route's own error handling is a 500 for
    // this request alone, logged without its headers (they may carry tokens).
    dispatch(hub, routes, req, res).catch((err: unknown) => lastResort(req, res, err));
  });
  server.keepAliveTimeout = 30_000;
  // Large uploads stream for a long time; never cut them by a request timeout.
  server.requestTimeout = 0;
  await listen(server, opts.port ?? 0, opts.host ?? "127.0.0.1");
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    hub,
    close: async () => {
      await hub.repos.flushStats();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE")
        reject(
          new Error(
            `port ${port} on ${host} is already in use; pick another with --port (0 = any free port)`,
          ),
        );
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1]?.trim();
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== name) continue;
    const raw = v.join("=");
    // A malformed percent-encoding (`m_session_id=%`) is a value that names no session, not a crash.
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

function lastResort(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(
    `hubferry hub: internal error on ${req.method} ${(req.url ?? "").split("?")[0]}: ${what}\n`,
  );
  req.resume();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: "Internal Server Error" });
  res.writeHead(500, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function dispatch(
  hub: HubState,
  routes: Route[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const host = req.headers.host ?? "127.0.0.1";
  const baseUrl = hub.options.publicUrl ?? `http://${host}`;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", baseUrl);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const requestId = randomBytes(8).toString("hex");
  const rawPath = (req.url ?? "/").split("?")[0]!;
  const matched = matchRoute(routes, method, rawPath);
  if (!matched || "methodNotAllowed" in matched) {
    const status = matched ? 405 : 404;
    const body = JSON.stringify({ error: status === 404 ? "Not Found" : "Method Not Allowed" });
    res.writeHead(status, {
      "Content-Type": "application/json; charset=utf-8",
      "X-Request-Id": requestId,
      "Content-Length": Buffer.byteLength(body),
    });
    res.end(method === "HEAD" ? undefined : body);
    req.resume();
    return;
  }
  const { route, params } = matched;
  hub.requestCounts.set(route.name, (hub.requestCounts.get(route.name) ?? 0) + 1);
  const token = bearerToken(req) ?? cookie(req, "m_session_id");
  const who = token ? hub.users.lookup(token) : undefined;
  const ctx: RequestContext = {
    req,
    res,
    method,
    url,
    baseUrl,
    route: route.name,
    params,
    hub,
    who,
    headers: { "X-Request-Id": requestId, "Access-Control-Expose-Headers": EXPOSED_HEADERS },
  };
  res.on("error", () => {});
  try {
    const limit = hub.rateLimiter.hit(who?.user.name ?? req.socket.remoteAddress ?? "anon", route.bucket);
    Object.assign(ctx.headers, limit.headers);
    if (limit.limited) {
      throw new HttpError(429, "You have exceeded our rate limit. Please retry later.", {
        headers: { "Retry-After": String(limit.resetSeconds) },
      });
    }
    const fault = hub.faults.take(method, route.name, url.pathname + url.search);
    if (fault) {
      if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.kind === "status") {
        req.resume();
        throw new HttpError(fault.status, `Injected fault: HTTP ${fault.status}`, {
          headers: fault.retryAfter !== undefined ? { "Retry-After": String(fault.retryAfter) } : {},
        });
      }
      if (fault.kind === "throttle") {
        ctx.req = throttledRequest(req, fault);
        throttleResponse(res, fault);
      } else if (fault.kind !== "slow") sabotageBody(res, fault);
    }
    if (token && !who && route.name !== "admin") {
      throw new HttpError(401, INVALID_CREDENTIALS, { headers: { "X-Error-Message": INVALID_CREDENTIALS } });
    }
    await route.handler(ctx);
  } catch (err) {
    req.resume();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    route.renderError(ctx, err);
  }
}

const EXPOSED_HEADERS = [
  "X-Repo-Commit",
  "X-Request-Id",
  "X-Error-Code",
  "X-Error-Message",
  "X-Total-Count",
  "ETag",
  "Link",
  "Accept-Ranges",
  "Content-Range",
  "X-Linked-Size",
  "X-Linked-ETag",
].join(",");
