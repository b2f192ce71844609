// Where one migrate/sync runs: this process, or a sandbox (Modal, a scrubbed child process).
import type { HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";
import { modalConfigured } from "../runner/modal-provider.js";
import { runInSandbox } from "../runner/run-in-sandbox.js";
import type { EventSink } from "../transfer/events.js";
import type { BatchFlags, CommandSpec } from "./migrate-command.js";
import { sandboxSetup } from "./sandbox-workers.js";

export const LOCAL_NOTE = "runs locally: bytes stream through this process's memory, never its disk";

export async function chooseRunner(flag: string | undefined): Promise<"local" | "modal" | "process"> {
  if (flag === undefined) return (await modalConfigured()) ? "modal" : "local";
  if (flag !== "local" && flag !== "modal" && flag !== "process") {
    throw new HubferryError("BAD_INPUT", `--runner must be local, modal or process, not "${flag}"`);
  }
  // Said before anything runs, rather than as the SDK's "Profile is missing credentials".
  if (flag === "modal" && !(await modalConfigured()))
    throw new HubferryError(
      "AUTH_MISSING",
      "--runner modal needs Modal credentials: MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, or token_id and token_secret in the active profile of ~/.modal.toml",
      "create a token at https://modal.com/settings/tokens (or run `modal token new`), or use --runner local",
    );
  return flag;
}

/** The same command for the worker in the sandbox (it then runs there with --runner local). */
function workerArgs(
  spec: CommandSpec,
  source: string,
  destination: string,
  flags: BatchFlags & { delete?: boolean },
): string[] {
  const args = [spec.name, source, destination];
  if (flags.revision) args.push("--revision", flags.revision);
  for (const g of flags.include) args.push("--include", g);
  for (const g of flags.exclude) args.push("--exclude", g);
  if (flags.dryRun) args.push("--dry-run");
  else if (!spec.sync) args.push("--yes");
  if (spec.sync && flags.delete) args.push("--delete");
  if (flags.concurrency) args.push("--concurrency", flags.concurrency);
  if (flags.batchFiles) args.push("--batch-files", flags.batchFiles);
  if (flags.convert) args.push("--convert", flags.convert);
  return args;
}

/** One repo's run in a sandbox, with the sandbox limits the flags ask for. */
export function sandboxRunner(
  runner: "modal" | "process",
  spec: CommandSpec,
  flags: BatchFlags & { delete?: boolean },
  settings: HubSettings,
  signal: AbortSignal,
) {
  const { provider, limits } = sandboxSetup(runner, flags);
  return (source: RepoRef, destination: RepoRef, events: EventSink) =>
    runInSandbox({
      provider,
      args: workerArgs(spec, formatRef(source), formatRef(destination), flags),
      settings,
      events,
      signal,
      ...limits,
    });
}
