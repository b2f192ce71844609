import { Command, Option } from "commander";
import { loadSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { PATTERN_FORMS } from "../core/path-filter.js";
import { wholeRepo } from "../core/repo-ref.js";
import { detectSpaceSdk } from "../push/detect-sdk.js";
import { push } from "../push/push.js";
import { confirmPlan } from "./confirm-plan.js";
import { knownTokens } from "./known-tokens.js";
import { hubOption, repoKind, toolboxHub, toolboxRef } from "./toolbox-common.js";
import { optionalWholeNumber } from "./whole-number.js";
import { withEvents } from "./with-events.js";

interface PushFlags {
  repo: string;
  hub?: string;
  sdk?: string;
  private: boolean;
  allowSecrets: boolean;
  license?: string;
  tag: string[];
  library?: string;
  baseModel?: string;
  include: string[];
  exclude: string[];
  message?: string;
  interactive: boolean;
  dryRun: boolean;
  concurrency?: string;
  json: boolean;
}

export function pushCommand(): Command {
  const collect = (v: string, acc: string[]) => [...acc, v];
  return new Command("push")
    .description(
      "publish a folder as a model, dataset or space: secrets scanned first, a card generated if missing, only changed files uploaded",
    )
    .argument("<kind>", "model, dataset or space")
    .argument("<dir>", "the folder to publish")
    .requiredOption("--repo <id>", "the repo to publish to: owner/name, hf:owner/name or ms:owner/name")
    .addOption(hubOption())
    .addOption(
      new Option("--sdk <sdk>", "spaces: the app SDK").choices(["gradio", "streamlit", "docker", "static"]),
    )
    .option("--private", "create the repo private (an existing repo keeps its visibility)", false)
    .option("--allow-secrets", "publish even if the scan finds possible secrets", false)
    .option("--license <id>", "generated card: license (e.g. apache-2.0, mit)")
    .option("--tag <tag>", "generated card: a tag (repeatable)", collect, [] as string[])
    .option("--library <name>", "generated card: library_name (default: inferred from the files)")
    .option("--base-model <id>", "generated card: base_model")
    .option("--include <glob>", "only publish paths matching (repeatable)", collect, [] as string[])
    .option("--exclude <glob>", "never publish paths matching (repeatable)", collect, [] as string[])
    .addHelpText("after", `\n--include/--exclude patterns are ${PATTERN_FORMS}.`)
    .option("--message <text>", "commit message")
    .option("--interactive", "show the plan and ask before publishing", false)
    .option("--dry-run", "show the plan, publish nothing", false)
    .option("--concurrency <n>", "files uploaded at the same time (default 4)")
    .option("--json", "one JSON event per line on stdout", false)
    .action((kindArg: string, dir: string, flags: PushFlags) =>
      withEvents(flags.json, "cancelled: nothing half-committed", async ({ events, human, signal }) => {
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
        const out = await push({
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
      }),
    );
}
