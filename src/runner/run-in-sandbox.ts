import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { HubSettings } from "../core/config.js";
import { type ErrorCode, HubferryError, redact } from "../core/errors.js";
import { TransferEventSchema } from "../transfer/event-schema.js";
import type { EventSink, TransferEvent } from "../transfer/events.js";
import type { SandboxProvider } from "./sandbox-provider.js";

/** Set by the bundler: in the single-file build the bundle is this very file. */
declare const __HUBFERRY_BUNDLE__: boolean | undefined;

export async function readBundle(): Promise<string> {
  const here =
    typeof __HUBFERRY_BUNDLE__ === "boolean" && __HUBFERRY_BUNDLE__
      ? new URL(import.meta.url)
      : new URL("../../bundle/hubferry.mjs", import.meta.url);
  try {
    return await readFile(fileURLToPath(here), "utf8");
  } catch {
    throw new HubferryError(
      "BAD_INPUT",
      "the single-file bundle (bundle/hubferry.mjs) is missing, so nothing can be sent to a sandbox",
      "run `npm run bundle` in the hubferry checkout, or use --runner local",
    );
  }
}

/** Only what the worker needs: tokens and endpoints, as secret environment. */
export function secretEnvFor(settings: HubSettings): Record<string, string> {
  const env: Record<string, string> = {
    HF_ENDPOINT: settings.hfEndpoint,
    MODELSCOPE_ENDPOINT: settings.msEndpoint,
  };
  if (settings.hfToken) env.HF_TOKEN = settings.hfToken;
  if (settings.msToken) env.MODELSCOPE_API_TOKEN = settings.msToken;
  if (settings.destEndpoint) env.HUBFERRY_DEST_ENDPOINT = settings.destEndpoint;
  if (settings.destToken) env.HUBFERRY_DEST_TOKEN = settings.destToken;
  return env;
}

/** The values a worker's errors are scrubbed of: its tokens (endpoints are not secret). */
function tokensOf(settings: HubSettings): string[] {
  return [settings.hfToken, settings.msToken, settings.destToken].filter((t): t is string => !!t);
}

export interface SandboxRunOptions {
  provider: SandboxProvider;
  /** The worker's command line (e.g. `migrate hf:a/b ms:a/b --yes`), without --json/--runner. */
  args: string[];
  settings: HubSettings;
  events: EventSink;
  timeoutMs: number;
  region?: string;
  cpu?: number;
  memoryMiB?: number;
  signal?: AbortSignal;
  /** Written to the worker's stdin (a sharded worker's work order). */
  stdin?: string;
}

/**
 * Runs a transfer in a sandbox and relays its JSON events, so the user sees the same progress and
 * summary as a local run. A non-zero exit comes back as the worker's own error (code, message, hint).
 */
export async function runInSandbox(opts: SandboxRunOptions): Promise<TransferEvent | undefined> {
  const secrets = secretEnvFor(opts.settings);
  const run = await opts.provider.start({
    bundle: await readBundle(),
    args: [...opts.args, "--json", "--runner", "local"],
    secretEnv: secrets,
    timeoutMs: opts.timeoutMs,
    region: opts.region,
    cpu: opts.cpu,
    memoryMiB: opts.memoryMiB,
    signal: opts.signal,
    stdin: opts.stdin,
  });
  let lastError: Extract<TransferEvent, { event: "error" }> | undefined;
  let summary: TransferEvent | undefined;
  let announced = false;
  try {
    for await (const line of run.lines) {
      const e = eventOf(line);
      if (!e) continue;
      if (e.event === "plan" && !announced) {
        announced = true;
        // The worker runs "locally" inside the sandbox; to the user it runs in the sandbox.
        const where = `runs in a ${opts.provider.name === "modal" ? "Modal sandbox" : "separate process with only the sandbox's environment"}`;
        e.notes = [...e.notes.filter((n) => !n.startsWith("runs locally")), where];
      }
      if (e.event === "error") {
        lastError = e;
        continue;
      }
      if (e.event === "summary") summary = e;
      opts.events(e);
    }
    const code = await run.wait();
    if (opts.signal?.aborted)
      throw new HubferryError("CANCELLED", "cancelled: the sandbox was terminated; nothing half-committed");
    if (code !== 0) {
      const values = tokensOf(opts.settings);
      if (lastError)
        throw new HubferryError(
          lastError.code as ErrorCode,
          redact(lastError.message, values),
          lastError.hint,
        );
      const tail = redact((await run.stderr()).trim().split("\n").slice(-3).join(" | "), values);
      throw new HubferryError(
        "SERVER",
        `the ${opts.provider.name} sandbox exited with code ${code}${tail ? `: ${tail}` : ""}`,
        "re-run; files already committed are kept",
      );
    }
    return summary;
  } finally {
    await run.terminate();
  }
}

/** A worker's output line as an event, checked against the schema; anything else is not ours. */
export function eventOf(line: string): TransferEvent | undefined {
  if (!line.startsWith("{")) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = TransferEventSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
