import { Command, Option } from "commander";
import { PATTERN_FORMS } from "../core/path-filter.js";
import { hubOption } from "./hub-option.js";

export interface PushFlags {
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
    .action(async (kindArg: string, dir: string, flags: PushFlags) =>
      (await import("./push-action.js")).pushAction(kindArg, dir, flags),
    );
}
