import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { redact } from "../core/errors.js";
import { adminRoutes } from "./admin-routes.js";
import { identify } from "./auth/credentials.js";
import type { AuthedUser, UserTable } from "./auth/users.js";
import { hfRoutes } from "./hf/routes.js";
import { warmSearchIndex } from "./hf/search.js";
import { accessLine, countBodyBytes } from "./http/access-log.js";
import type { RequestContext } from "./http/context.js";
import { type FaultRule, sabotageBody, throttledRequest, throttleResponse } from "./http/faults.js";
import { HttpError } from "./http/http-error.js";
import { matchRoute, type Route } from "./http/router.js";
import { DEFAULT_HUB_OPTIONS, type HubOptions, HubState } from "./hub-state.js";
import { Mirror } from "./mirror/mirror.js";
import type { MirrorOptions } from "./mirror/mirror-options.js";
import { msRoutes } from "./ms/ms-routes.js";

export interface LocalHubOptions extends Partial<HubOptions> {
  root: string;
  users: UserTable;
  host?: string;
  port?: number;
  /** Receives one access-log line per request (no token, cookie or URL signature in it). */
  accessLog?: (line: string) => void;
  /** Receives internal errors (a handler bug answered 500); defaults to stderr. Tokens are masked. */
  errorLog?: (line: string) => void;
  /** Mirror these upstream hubs: what the store lacks is fetched from them (serve --mirror). */
  mirror?: MirrorOptions;
}

export interface LocalHub {
  url: string;
  port: number;
  hub: HubState;
  close(): Promise<void>;
}

const INVALID_CREDENTIALS = "Invalid credentials in Authorization header";

interface App {
  hub: HubState;
  routes: Route[];
  accessLog: ((line: string) => void) | undefined;
  errorLog: (line: string) => void;
}

/** Starts the local hub: one HTTP server, both API faces, one store. */
export async function startLocalHub(opts: LocalHubOptions): Promise<LocalHub> {
  const options: HubOptions = { ...DEFAULT_HUB_OPTIONS, ...stripUndefined(opts) };
  const hub = new HubState(opts.root, opts.users, options);
  await hub.init();
  if (opts.mirror) hub.mirror = new Mirror(hub, opts.mirror);
  const app: App = {
    hub,
    routes: hubRoutes(),
    accessLog: opts.accessLog,
    errorLog: opts.errorLog ?? ((line) => process.stderr.write(`${line}\n`)),
  };
  const server = createServer((req, res) => serveRequest(app, req, res));
  // Malformed HTTP (bad request line, headers, framing) never reaches a handler: answer it here.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket));
  server.keepAliveTimeout = 30_000;
  // Large uploads stream for a long time; never cut them by a request timeout.
  server.requestTimeout = 0;
  await listen(server, opts.port ?? 0, opts.host ?? "127.0.0.1");
  // In the background: a failure here only means the first searches build what they need.
  void warmSearchIndex(hub).catch(() => {});
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    hub,
    close: async () => {
      await hub.xet.stop();
      await hub.repos.flushStats();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Every route of the hub, in matching order (the admin `routes` answer lists this very array). */
export function hubRoutes(): Route[] {
  const routes: Route[] = [...adminRoutes(() => routes), ...msRoutes(), ...hfRoutes()];
  return routes;
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

/** What one request did, for the access log and for masking its credential in error logs. */
interface RequestState {
  who: AuthedUser | undefined;
  secret: string | undefined;
}

/**
 * Runs one request so that nothing it does can end the process: stream errors on either side are
 * absorbed, and a throw that escapes even the error rendering is a last-resort 500.
 */
function serveRequest(app: App, req: IncomingMessage, res: ServerResponse): void {
  const startedAt = performance.now();
  const bytes = countBodyBytes(res);
  const state: RequestState = { who: undefined, secret: undefined };
  req.on("error", () => {});
  res.on("error", () => {});
  if (app.accessLog) {
    const log = app.accessLog;
    res.once("close", () =>
      log(
        accessLine({ req, res, startedAt, bytes: bytes(), user: state.who?.user.name, secret: state.secret }),
      ),
    );
  }
  dispatch(app, req, res, state).catch((err) => {
    logInternal(app, req, err, state.secret);
    req.resume();
    if (res.headersSent) res.destroy();
    else sendPlain(res, 500, "Internal error; the server log has the details");
  });
}

async function dispatch(
  app: App,
  req: IncomingMessage,
  res: ServerResponse,
  state: RequestState,
): Promise<void> {
  const { hub } = app;
  const method = (req.method ?? "GET").toUpperCase();
  const host = req.headers.host ?? "127.0.0.1";
  const baseUrl = hub.options.publicUrl ?? `http://${host}`;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", baseUrl);
  } catch {
    req.resume();
    sendPlain(res, 400, "Malformed request: the request target or the Host header is not a valid URL");
    return;
  }
  const requestId = randomBytes(8).toString("hex");
  const rawPath = (req.url ?? "/").split("?")[0]!;
  const matched = matchRoute(app.routes, method, rawPath);
  if (!matched || "methodNotAllowed" in matched) {
    req.resume();
    if (matched) sendPlain(res, 405, "Method Not Allowed", { "X-Request-Id": requestId }, method);
    else sendPlain(res, 404, "Not Found", { "X-Request-Id": requestId }, method);
    return;
  }
  const { route, params } = matched;
  hub.requestCounts.set(route.name, (hub.requestCounts.get(route.name) ?? 0) + 1);
  const ctx: RequestContext = {
    req,
    res,
    method,
    url,
    baseUrl,
    route: route.name,
    params,
    hub,
    who: undefined,
    headers: { "X-Request-Id": requestId, "Access-Control-Expose-Headers": EXPOSED_HEADERS },
  };
  try {
    if (matched.malformed) {
      throw new HttpError(400, `Malformed path: the ${matched.malformed} part is not valid percent-encoding`);
    }
    const caller = identify(req, hub.users, hub.sessions);
    state.secret = caller.secret;
    state.who = ctx.who = caller.who;
    const limit = hub.rateLimiter.hit(ctx.who?.user.name ?? req.socket.remoteAddress ?? "anon", route.bucket);
    Object.assign(ctx.headers, limit.headers);
    if (limit.limited) {
      throw new HttpError(429, "You have exceeded our rate limit. Please retry later.", {
        headers: { "Retry-After": String(limit.resetSeconds) },
      });
    }
    const fault = hub.faults.take(method, route.name, url.pathname + url.search);
    if (fault) {
      await applyFault(fault, req, res);
      if (fault.kind === "throttle") {
        ctx.req = throttledRequest(req, fault);
        throttleResponse(res, fault);
      }
    }
    if (caller.rejected && route.name !== "admin" && !route.ownAuth) {
      throw new HttpError(401, INVALID_CREDENTIALS, { headers: { "X-Error-Message": INVALID_CREDENTIALS } });
    }
    await route.handler(ctx);
  } catch (err) {
    req.resume();
    if (clientWentAway(req)) {
      // The body stopped short and the socket is gone: no one to answer, and no bug to log.
      res.destroy();
      return;
    }
    if (res.headersSent) {
      // Mid-body: the only honest signal left is to cut the connection.
      if (!res.writableEnded && !(err instanceof HttpError)) logInternal(app, req, err, state.secret);
      res.destroy();
      return;
    }
    try {
      route.renderError(ctx, err);
    } catch (renderErr) {
      logInternal(app, req, renderErr, state.secret);
      if (!res.headersSent) sendPlain(res, 500, "Internal error; the server log has the details");
      return;
    }
    // A 5xx the hub chose (injected faults, 501 for what it does not do, 502/504 for an upstream's
    // failure) is an answer, not a bug: only errors no handler meant to give are logged as internal.
    if (res.statusCode >= 500 && !(err instanceof HttpError)) logInternal(app, req, err, state.secret);
  }
}

/** The client closed the connection before its request body was complete (an aborted upload). */
function clientWentAway(req: IncomingMessage): boolean {
  return !req.complete && (req.destroyed || req.socket.destroyed);
}

/** Applies an injected fault before the handler (tests only: --enable-faults). */
async function applyFault(fault: FaultRule, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault.kind === "status") {
    req.resume();
    throw new HttpError(fault.status, `Injected fault: HTTP ${fault.status}`, {
      headers: fault.retryAfter !== undefined ? { "Retry-After": String(fault.retryAfter) } : {},
    });
  }
  // A stand-in for a bug in a handler: a plain error thrown, and one thrown where nothing awaits it.
  if (fault.kind === "throw") throw new Error("Injected handler bug");
  if (fault.kind === "uncaught") {
    setImmediate(() => {
      throw new Error("Injected uncaught error");
    });
  }
  if (fault.kind === "reset" || fault.kind === "truncate" || fault.kind === "corrupt")
    sabotageBody(res, fault);
}

/** A handler bug: one log line with what was asked (no query: it may carry signatures) and why. */
function logInternal(app: App, req: IncomingMessage, err: unknown, secret: string | undefined): void {
  const what = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const path = (req.url ?? "/").split("?")[0];
  app.errorLog(redact(`hubferry serve: internal error on ${req.method} ${path}: ${what}`, [secret]));
}

/** A face-neutral JSON error (before any route is known): `{"error": ...}` plus X-Error-Message. */
function sendPlain(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  method = "GET",
): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "X-Error-Message": message,
  });
  res.end(method === "HEAD" ? undefined : body);
}

/** Answers malformed HTTP with a JSON 4xx on the raw socket, then closes it. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const status =
    err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const reason =
    status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request";
  const body = JSON.stringify({ error: `Malformed HTTP request (${err.code ?? "parse error"})` });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
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
  // Xet: a browser's @huggingface/hub reads these from the resolve and token answers.
  "X-Xet-Hash",
  "X-Xet-Refresh-Route",
  "X-Xet-Cas-Url",
  "X-Xet-Access-Token",
  "X-Xet-Token-Expiration",
].join(",");
