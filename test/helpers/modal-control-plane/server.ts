import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CallContext, createServer, ServerError, Status } from "nice-grpc";
import { ModalAuth } from "./auth.js";
import { controlHandlers } from "./control-handlers.js";
import { loadDefinitions, type ServiceDefinition } from "./definitions.js";
import { type RecordedCall, Recorder } from "./recorder.js";
import { routerHandlers } from "./router-handlers.js";
import { Sandboxes } from "./sandboxes.js";

/** Misbehaviour a test asks of the control plane, each at most once unless said otherwise. */
export interface Faults {
  /** End the first stdout read of a program with UNAVAILABLE once this many bytes went out. */
  stdoutBreakAfter?: number;
  /** Fail the first stdin stream with UNAVAILABLE once this many bytes arrived (kept). */
  stdinBreakAfter?: number;
  /** How TaskExecWait answers for a sandbox that ended (terminated or timed out). */
  waitAfterEnd?: "killed" | "not-found" | "unavailable";
  /** Programs (not the file tool) never start and run until the sandbox ends. */
  holdPrograms?: boolean;
  /** Output streams of a program killed by its sandbox's end stay open (never reach EOF). */
  streamsOutliveEnd?: boolean;
  /** Refuse every token pair, as Modal does a revoked one. */
  refuseTokens?: boolean;
}

export interface ControlPlane {
  url: string;
  auth: ModalAuth;
  recorder: Recorder;
  sandboxes: Sandboxes;
  faults: Faults;
  /** The environment a child needs to use this control plane (config file, scratch HOME, no modal.com). */
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export interface HandlerContext {
  auth: ModalAuth;
  sandboxes: Sandboxes;
  faults: Faults;
  routerUrl: string;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers receive the SDK's decoded messages.
export type Handler = (request: any, context: CallContext) => any;

/**
 * A local Modal control plane: the subset of `modal.client.ModalClient` and
 * `modal.task_command_router.TaskCommandRouter` that hubferry's use of the SDK triggers, both on one
 * plaintext HTTP/2 port on 127.0.0.1. Every call is recorded; any other RPC answers UNIMPLEMENTED
 * (and the recorder lists it, so the test fails).
 */
export async function startModalControlPlane(scratch: string): Promise<ControlPlane> {
  const defs = await loadDefinitions();
  const auth = new ModalAuth();
  const recorder = new Recorder();
  const sandboxes = new Sandboxes();
  const faults: Faults = {};
  const server = createServer({ "grpc.max_receive_message_length": 100 * 1024 * 1024 });
  const ctx: HandlerContext = { auth, sandboxes, faults, routerUrl: "" };
  // The definitions are only known at run time, so the implementations are typed loosely.
  server.add(defs.control, serve(defs.control, "control", controlHandlers(ctx), recorder) as never);
  server.add(defs.router, serve(defs.router, "router", routerHandlers(ctx), recorder) as never);
  const port = await server.listen("127.0.0.1:0");
  const url = `http://127.0.0.1:${port}`;
  // The SDK only dials an https:// router URL, but without TLS when the server URL is on loopback.
  ctx.routerUrl = `https://127.0.0.1:${port}`;
  const config = join(scratch, "modal.toml");
  await writeFile(
    config,
    `[hubferry-test]\nactive = true\nserver_url = "${url}"\ntoken_id = "${auth.tokenId}"\ntoken_secret = "${auth.tokenSecret}"\n`,
    { mode: 0o600 },
  );
  return {
    url,
    auth,
    recorder,
    sandboxes,
    faults,
    env: (extra = {}) => {
      // Tests never reach modal.com: refuse to hand out anything but a loopback server URL.
      if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname))
        throw new Error(`the Modal control plane must be on loopback, not ${url}`);
      return { HOME: scratch, MODAL_CONFIG_PATH: config, MODAL_SERVER_URL: url, ...extra };
    },
    stop: async () => {
      await sandboxes.disposeAll();
      server.forceShutdown();
    },
  };
}

function serve(
  def: ServiceDefinition,
  service: RecordedCall["service"],
  handlers: Record<string, Handler>,
  recorder: Recorder,
): Record<string, Handler> {
  const impl: Record<string, Handler> = {};
  for (const [key, method] of Object.entries(def.methods)) {
    const handler = handlers[key];
    const record = (context: CallContext, request: unknown, status: string) =>
      recorder.add({ service, method: method.name, metadata: headers(context), request, status });
    if (method.responseStream) {
      impl[key] = async function* (request: unknown, context: CallContext) {
        if (!handler) {
          record(context, request, "UNIMPLEMENTED");
          throw new ServerError(
            Status.UNIMPLEMENTED,
            `${method.name} is not served by the local control plane`,
          );
        }
        try {
          yield* handler(request, context);
          record(context, request, "OK");
        } catch (err) {
          record(context, request, statusName(err));
          throw err;
        }
      };
      continue;
    }
    impl[key] = async (incoming: unknown, context: CallContext) => {
      const messages: unknown[] = [];
      const request = method.requestStream ? tap(incoming as AsyncIterable<unknown>, messages) : incoming;
      const seen = method.requestStream ? messages : incoming;
      if (!handler) {
        record(context, seen, "UNIMPLEMENTED");
        throw new ServerError(
          Status.UNIMPLEMENTED,
          `${method.name} is not served by the local control plane`,
        );
      }
      try {
        const out = await handler(request, context);
        record(context, seen, "OK");
        return out;
      } catch (err) {
        record(context, seen, statusName(err));
        throw err;
      }
    };
  }
  return impl;
}

/** A client stream passed on to its handler, each message kept for the record as it is read. */
async function* tap(stream: AsyncIterable<unknown>, into: unknown[]): AsyncGenerator<unknown> {
  for await (const m of stream) {
    into.push(m);
    yield m;
  }
}

function headers(context: CallContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of context.metadata) out[k] = String(Array.isArray(v) ? v.join(",") : v);
  return out;
}

function statusName(err: unknown): string {
  return err instanceof ServerError ? Status[err.code] : "UNKNOWN";
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString("hex")}`;
}
