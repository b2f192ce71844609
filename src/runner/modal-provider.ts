import { HubferryError } from "../core/errors.js";
import { modalCredentials } from "./modal-config.js";
import type { SandboxProvider, SandboxRun, SandboxSpec } from "./sandbox-provider.js";
import { sandboxTimeout, splitLines } from "./sandbox-provider.js";

type ModalModule = typeof import("modal");

const APP_NAME = "hubferry";
const IMAGE = "node:22-slim";
const REMOTE_BUNDLE = "/opt/hubferry/hubferry.mjs";

/**
 * Loads the Modal SDK only when the Modal runner is used: it is an optional dependency. Its README
 * asks for Node 22, but modal 0.11.1 runs every flow hubferry uses on Node 20 (measured through the
 * local control plane in test/runner/modal-sdk.test.ts; the newer globals it needs are in Node 20).
 */
export async function loadModal(): Promise<ModalModule> {
  try {
    return await import("modal");
  } catch (err) {
    throw new HubferryError(
      "BAD_INPUT",
      `the Modal runner could not load the modal SDK: ${(err as Error).message}`,
      "install it (npm install modal@0.11.1), or run with --runner local",
    );
  }
}

/** How long a wait, read or terminate may still take once the sandbox was ended. */
const END_GRACE_MS = 3000;

/**
 * Runs the bundle in an ephemeral Modal Sandbox: app `hubferry`, a stock Node image, the tokens as
 * a Modal secret (never in argv), the bundle written through the sandbox filesystem API, one exec
 * whose stdout is split into lines, and the sandbox terminated whatever happens.
 *
 * Once the sandbox is ended (Ctrl-C, or its timeout), nothing here depends on what Modal answers:
 * after terminate() the SDK keeps waiting on the command's exit, and the answer is undocumented
 * (an exit by signal, NOT_FOUND, or UNAVAILABLE, which the SDK retries without end). So every read
 * and wait is raced against the end plus a short grace.
 */
export class ModalProvider implements SandboxProvider {
  readonly name = "modal" as const;

  constructor(private readonly load: () => Promise<ModalModule> = loadModal) {}

  async start(spec: SandboxSpec): Promise<SandboxRun> {
    const modal = await this.load();
    const client = new modal.ModalClient();
    const app = await client.apps.fromName(APP_NAME, { createIfMissing: true });
    const image = client.images.fromRegistry(IMAGE);
    const secret = await client.secrets.fromObject(spec.secretEnv);
    const timeoutMs = Math.max(1000, Math.round(spec.timeoutMs / 1000) * 1000);
    const deadline = Date.now() + timeoutMs;
    const sb = await client.sandboxes.create(app, image, {
      timeoutMs,
      secrets: [secret],
      ...(spec.region ? { regions: [spec.region] } : {}),
      ...(spec.cpu ? { cpu: spec.cpu } : {}),
      ...(spec.memoryMiB ? { memoryMiB: spec.memoryMiB } : {}),
    });
    const end = sandboxEnd(async () => {
      await sb.terminate();
      client.close();
    });
    const timer = setTimeout(() => end.stop("timeout"), timeoutMs);
    const onAbort = () => end.stop("cancel");
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    // Ctrl-C while the sandbox was being created: the listener came too late to hear it.
    if (spec.signal?.aborted) end.stop("cancel");
    // Modal's own timer may fire a moment before ours: an end near the deadline is the timeout.
    const timedOut = () => end.reason === "timeout" || Date.now() >= deadline - 1000;
    try {
      await sb.filesystem.writeText(spec.bundle, REMOTE_BUNDLE);
      const proc = await sb.exec(["node", REMOTE_BUNDLE, ...spec.args], {
        stdout: "pipe",
        stderr: "pipe",
        mode: "text",
      });
      if (spec.stdin !== undefined) {
        await proc.stdin.writeText(spec.stdin);
        await proc.stdin.close();
      }
      const stderr = textOf(cancellable(proc.stderr, end.signal));
      return {
        lines: end.bound(splitLines(cancellable(proc.stdout, end.signal))),
        wait: async () => {
          const waited = waitAbortable(proc, end.signal).catch((err: Error) => {
            if (end.reason || timedOut()) return 137;
            throw modalFailure(err);
          });
          const code = await end.race(waited, 137);
          if (code !== 0 && timedOut()) throw sandboxTimeout("Modal", timeoutMs);
          return code;
        },
        stderr: () => end.race(stderr, ""),
        terminate: async () => {
          clearTimeout(timer);
          spec.signal?.removeEventListener("abort", onAbort);
          await end.stop("done");
        },
      };
    } catch (err) {
      clearTimeout(timer);
      await end.stop("done");
      if (timedOut()) throw sandboxTimeout("Modal", timeoutMs);
      throw end.reason === "cancel" ? err : modalFailure(err as Error);
    }
  }
}

type EndReason = "cancel" | "timeout" | "done";

/**
 * An SDK output stream read through its own reader, cancelled when `giveUp` aborts: cancelling is
 * what aborts its gRPC stream, which would otherwise stay open (and keep this process alive) when
 * Modal never ends it after terminate().
 */
function cancellable(stream: ReadableStream<string>, giveUp: AbortSignal): AsyncIterable<string> {
  const reader = stream.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  giveUp.addEventListener("abort", cancel, { once: true });
  return {
    async *[Symbol.asyncIterator]() {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        giveUp.removeEventListener("abort", cancel);
      }
    },
  };
}

async function textOf(chunks: AsyncIterable<string>): Promise<string> {
  let text = "";
  try {
    for await (const c of chunks) text += c;
  } catch {
    // What stderr said so far is all there is.
  }
  return text;
}

type ModalProcess = { wait(): Promise<number>; _wait?: (signal: AbortSignal) => Promise<number> };

/**
 * The command's exit code, given up on when `signal` aborts. The public wait() cannot be stopped:
 * on UNAVAILABLE it retries every second without end, and its timers keep this process alive after
 * everything else has ended. modal 0.11.1's own file writes use the internal _wait(signal), which
 * checks the signal before each retry and passes it to the call; used when present.
 */
function waitAbortable(proc: ModalProcess, signal: AbortSignal): Promise<number> {
  return typeof proc._wait === "function" ? proc._wait(signal) : proc.wait();
}

/** The sandbox's end: asked once, bounded in time, and what reads and waits race against. */
function sandboxEnd(terminate: () => Promise<void>) {
  let reason: EndReason | undefined;
  let stopping: Promise<void> | undefined;
  let ended!: () => void;
  const abandon = new AbortController();
  const endedThenGrace = new Promise<void>((resolve) => {
    ended = () =>
      setTimeout(() => {
        abandon.abort();
        resolve();
      }, END_GRACE_MS).unref();
  });
  const race = <T>(p: Promise<T>, fallback: T): Promise<T> =>
    Promise.race([p, endedThenGrace.then(() => fallback)]);
  return {
    get reason() {
      return reason;
    },
    /** Aborted once the sandbox was ended and the grace is over: what is still pending is given up. */
    signal: abandon.signal,
    stop(why: EndReason): Promise<void> {
      if (!stopping) {
        reason = why;
        ended();
        stopping = race(
          terminate().catch(() => undefined),
          undefined,
        );
      }
      return stopping;
    },
    race,
    /** The lines until the stream ends, or until the sandbox was ended and the grace is over. */
    async *bound(lines: AsyncGenerator<string>): AsyncGenerator<string> {
      while (true) {
        const next = await race(lines.next(), { done: true, value: undefined });
        if (next.done) return;
        yield next.value;
      }
    },
  };
}

/** A Modal error that is not hubferry's: its gRPC status and details, without a stack or a token. */
function modalFailure(err: Error): HubferryError {
  if (err instanceof HubferryError) return err;
  const code = (err as { code?: unknown }).code;
  const details = (err as { details?: unknown }).details;
  const text = typeof details === "string" && details ? details : err.message;
  const auth = code === 16 || code === 7;
  return new HubferryError(
    auth ? "AUTH_INVALID" : "SERVER",
    `Modal: ${text.replace(/^\/modal\.[^ ]+ /, "")}`,
    auth ? "check the Modal token: hubferry auth check --modal" : "re-run; files already committed are kept",
  );
}

/**
 * Whether the SDK will find Modal credentials: env, or a token pair in the active profile of the
 * config file (a file alone, with no active profile or no token, is not enough: see modal-config.ts).
 */
export async function modalConfigured(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return modalCredentials(env).present;
}

/**
 * Checks Modal credentials with a real authenticated call (the SDK has no whoami): looking up the
 * app hubferry uses, creating it if missing.
 */
export async function verifyModalCredentials(
  load: () => Promise<ModalModule> = loadModal,
): Promise<{ valid: boolean; problem?: string; unreachable?: boolean }> {
  let client: { close?: () => void } | undefined;
  try {
    const modal = await load();
    const c = new modal.ModalClient();
    client = c;
    await c.apps.fromName(APP_NAME, { createIfMissing: true });
    return { valid: true };
  } catch (err) {
    // A gRPC error's message starts with the RPC's path; its details are what Modal said.
    const details = (err as { details?: unknown }).details;
    const said = typeof details === "string" && details ? details : (err as Error).message;
    // UNAVAILABLE (14) is no verdict on the credentials: Modal could not be reached.
    const unreachable = (err as { code?: unknown }).code === 14;
    return {
      valid: false,
      ...(unreachable ? { unreachable } : {}),
      problem:
        err instanceof HubferryError
          ? err.message
          : unreachable
            ? `could not reach Modal to check the credentials: ${said}`
            : `Modal refused the credentials: ${said}`,
    };
  } finally {
    // Its channel would otherwise keep this process alive.
    client?.close?.();
  }
}
