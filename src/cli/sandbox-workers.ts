import type { HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";
import type { StartWorker } from "../migrate/migrate.js";
import { parseWorkOrder, runWorkOrder } from "../migrate/work-order.js";
import { ModalProvider } from "../runner/modal-provider.js";
import { ProcessProvider } from "../runner/process-provider.js";
import { runInSandbox } from "../runner/run-in-sandbox.js";
import type { SandboxProvider } from "../runner/sandbox-provider.js";
import type { EventSink } from "../transfer/events.js";
import { parseDuration } from "./duration.js";
import { optionalWholeNumber } from "./whole-number.js";

export type SandboxFlags = { timeout?: string; region?: string; cpu?: string; memory?: string };

/** The provider a sandbox runner names, and the limits the flags ask for (checked before anything runs). */
export function sandboxSetup(runner: "modal" | "process", flags: SandboxFlags) {
  const provider: SandboxProvider = runner === "modal" ? new ModalProvider() : new ProcessProvider();
  const limits = {
    timeoutMs: parseDuration(flags.timeout),
    region: flags.region,
    cpu: optionalWholeNumber("--cpu", flags.cpu, 1, 64),
    memoryMiB: optionalWholeNumber("--memory", flags.memory, 1),
  };
  return { provider, limits };
}

/** What the plan says of a sharded run: where it runs, and which bytes pass through this process. */
export function shardedNote(runner: "modal" | "process", count: number): string {
  const where =
    runner === "modal" ? "Modal sandboxes" : "separate processes with only a sandbox's environment";
  return `runs in up to ${count} ${where}: this process plans, deals the files and commits; the files' bytes move in the sandboxes (small files the destination takes inline travel in this process's commit)`;
}

/**
 * Starts each worker of a sharded run in its own sandbox: the same bundle, the command line of a
 * worker (`--work-order -`, the pinned revision), its order on stdin, the tokens as secret env.
 */
export function sandboxWorkers(
  runner: "modal" | "process",
  command: "migrate" | "sync",
  flags: SandboxFlags & { concurrency?: string },
  settings: HubSettings,
): StartWorker {
  const { provider, limits } = sandboxSetup(runner, flags);
  return async (job, events, signal) => {
    const args = [command, formatRef(job.source), formatRef(job.destination), "--revision", job.revision];
    args.push("--work-order", "-");
    if (flags.concurrency) args.push("--concurrency", flags.concurrency);
    await runInSandbox({
      provider,
      args,
      stdin: JSON.stringify(job.order),
      settings,
      events,
      signal,
      ...limits,
    });
  };
}

/** A work order is small next to what it moves; more than this is not one. */
const MAX_ORDER_BYTES = 512 * 1024 * 1024;

async function readOrderText(from: string): Promise<string> {
  if (from !== "-")
    throw new HubferryError(
      "BAD_INPUT",
      `--work-order takes - (the order on stdin), not "${from}"`,
      "--work-order is how a coordinator (migrate --sandboxes N) talks to its workers",
    );
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of process.stdin) {
    bytes += (c as Buffer).byteLength;
    if (bytes > MAX_ORDER_BYTES)
      throw new HubferryError("BAD_INPUT", `the work order on stdin is larger than ${MAX_ORDER_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The worker's side: `migrate SRC DST --revision SHA --work-order -` inside a sandbox. */
export async function runWorker(
  refs: { source: RepoRef; destination: RepoRef },
  flags: { revision?: string; workOrder: string; concurrency?: string },
  settings: HubSettings,
  events: EventSink,
  signal: AbortSignal,
): Promise<void> {
  if (!flags.revision)
    throw new HubferryError(
      "BAD_INPUT",
      "--work-order needs --revision with the commit the coordinator planned at",
      "--work-order is how a coordinator (migrate --sandboxes N) talks to its workers",
    );
  const order = parseWorkOrder(await readOrderText(flags.workOrder));
  await runWorkOrder({
    ...refs,
    revision: flags.revision,
    order,
    settings,
    events,
    signal,
    concurrency: optionalWholeNumber("--concurrency", flags.concurrency, 1, 64),
  });
}
