// What `push` does; loaded only when it runs (the definition, for --help, is push-command.ts).
import { loadSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { wholeRepo } from "../core/repo-ref.js";
import { detectSpaceSdk } from "../push/detect-sdk.js";
import { push } from "../push/push.js";
import { confirmPlan } from "./confirm-plan.js";
import { knownTokens } from "./known-tokens.js";
import type { PushFlags } from "./push-command.js";
import { repoKind, toolboxHub, toolboxRef } from "./toolbox-common.js";
import { optionalWholeNumber } from "./whole-number.js";
import { withEvents } from "./with-events.js";

export function pushAction(kindArg: string, dir: string, flags: PushFlags): Promise<void> {
  return withEvents(flags.json, "cancelled: nothing half-committed", async ({ events, human, signal }) => {
    const type = repoKind(kindArg);
    if (flags.sdk && type !== "space")
      throw new HubferryError("BAD_INPUT", "--sdk is for spaces", "drop --sdk, or push a space");
    if (flags.interactive && (flags.json || !process.stdin.isTTY))
      throw new HubferryError(
        "NOT_CONFIRMED",
        "--interactive needs a terminal to ask in",
        "look at the plan with --dry-run, then run without --interactive",
      );
    const ref = wholeRepo(toolboxRef(type, flags.repo, flags.hub), flags.repo, "push --repo");
    const settings = loadSettings();
    await push({
      knownTokens: knownTokens(settings),
      hub: toolboxHub(ref.hub, events),
      ref,
      dir,
      private: flags.private,
      sdk: type === "space" ? (flags.sdk ?? (await detectSpaceSdk(dir))) : undefined,
      allowSecrets: flags.allowSecrets,
      card: {
        license: flags.license,
        tags: flags.tag,
        library: flags.library,
        baseModel: flags.baseModel,
      },
      include: flags.include,
      exclude: flags.exclude,
      message: flags.message,
      dryRun: flags.dryRun,
      events,
      signal,
      concurrency: optionalWholeNumber("--concurrency", flags.concurrency, 1, 64),
      confirm: flags.interactive ? confirmPlan(human, "Publish") : undefined,
    });
    // A run with nothing to upload is said by the renderer, in one line.
    if (!flags.json && flags.dryRun) process.stderr.write("dry run: nothing was published\n");
  });
}
