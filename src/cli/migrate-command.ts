// The migrate and sync commands as --help shows them; what they do is in migrate-action.ts, loaded
// only when one runs, so that the start of every other command pays nothing for it.
import { Command, Option } from "commander";
import { PATTERN_FORMS } from "../core/path-filter.js";

export interface MigrateFlags {
  license?: string;
  to?: string;
  dest?: string;
  repoType?: string;
  revision?: string;
  include: string[];
  exclude: string[];
  dryRun: boolean;
  yes: boolean;
  json: boolean;
  concurrency?: string;
  batchFiles?: string;
  destEndpoint?: string;
  convert?: string;
}

export type RunnerFlags = {
  runner?: string;
  timeout?: string;
  region?: string;
  cpu?: string;
  memory?: string;
  sandboxes?: string;
  workOrder?: string;
};

export type BatchFlags = MigrateFlags &
  RunnerFlags & { all?: boolean; list?: string; jobs?: string; public?: boolean };

export interface CommandSpec {
  name: "migrate" | "sync";
  description: string;
  /** sync: never asks (it is for cron and CI), and --delete removes what the source no longer has. */
  sync: boolean;
}

function transferCommand(spec: CommandSpec): Command {
  const collect = (v: string, acc: string[]) => [...acc, v];
  const cmd = new Command(spec.name)
    .description(spec.description)
    .argument(
      "[source]",
      "hf:owner/name, ms:owner/name, hf:datasets/owner/name, a huggingface.co or modelscope.cn URL, or a bare id with --to",
    )
    .argument("[destination]", "where to (default: the same id on the other hub)")
    .option("--to <hub>", "the destination hub (hf or ms) when the source is a bare id")
    .option("--dest <id>", "destination id or URL (overrides the destination argument)")
    .option(
      "--dest-endpoint <url>",
      "the destination's own server (a mirror, a self-hosted hub, another ModelScope site); it gets only HUBFERRY_DEST_TOKEN, never the source's token",
    )
    .option("--repo-type <type>", "model, dataset or space (default: detected)")
    .option("--revision <rev>", "source branch, tag or commit (default: the default branch)")
    .option("--include <glob>", "only paths matching (repeatable)", collect, [] as string[])
    .option("--exclude <glob>", "skip paths matching (repeatable)", collect, [] as string[])
    .option("--dry-run", "print the plan and exit without writing", false)
    .addHelpText("after", `\n--include/--exclude patterns are ${PATTERN_FORMS}.`);
  if (spec.sync) {
    cmd.option("--delete", "also delete destination files the source does not have", false);
    // Scripts that call migrate pass --yes; sync never asks, so it takes --yes and changes nothing.
    cmd.option("-y, --yes", "accepted for scripts written for migrate: sync never asks", false);
  } else
    cmd
      .option("-y, --yes", "do not ask for confirmation before writing", false)
      .option(
        "--convert <format:type>",
        "a model: the destination gets a conversion made on the fly instead of the weights: gguf:TYPE (default q4_k_m; with the config, tokenizer files and a card) or, from a GGUF repo, safetensors:DTYPE (f32, f16, bf16; with config.json)",
      );
  cmd
    .option(
      "--runner <where>",
      "local (this process), modal (an ephemeral Modal sandbox) or process (a scrubbed child process); default: modal when Modal credentials are configured, else local",
    )
    .option("--timeout <duration>", "sandbox runners: longest run, e.g. 30m, 2h (default 1h, at most 24h)")
    .option("--region <region>", "modal runner: where the sandbox runs (e.g. us-east)")
    .option("--cpu <n>", "modal runner: CPU cores for the sandbox")
    .option("--memory <MiB>", "modal runner: memory for the sandbox, in MiB")
    .option(
      "--sandboxes <n>",
      "split one repo over n workers, each in its own sandbox (--runner modal or process): files dealt largest first, this process commits (default 1)",
    )
    // A worker of a sharded run: its order comes on stdin from the coordinator, never from a person.
    .addOption(new Option("--work-order <from>").hideHelp())
    .option("--public", "a folder source: create the repo public (default: private)", false)
    .option("--all", "batch: every repo of the source token's own user")
    .option("--list <file>", "batch: the source repos listed in a file, one per line")
    .option("--jobs <n>", "batch: repos migrated at the same time (default 2)");
  return cmd
    .addOption(new Option("--json", "one JSON event per line on stdout").default(false))
    .option("--concurrency <n>", "files copied at the same time (default 4)")
    .option(
      "--license <id>",
      "the licence a created destination gets (default: the source's; none if it has none)",
    )
    .option("--batch-files <n>", "commit every n files, so a long run keeps its progress (default 100)")
    .action(
      async (
        sourceArg: string | undefined,
        destArg: string | undefined,
        flags: BatchFlags & { delete?: boolean },
      ) => (await import("./migrate-action.js")).transferAction(spec, sourceArg, destArg, flags),
    );
}

export function migrateCommand(): Command {
  return transferCommand({
    name: "migrate",
    description:
      "copy a model, dataset or space between Hugging Face and ModelScope (or to another name on the same hub), streaming hub to hub",
    sync: false,
  });
}

export function syncCommand(): Command {
  return transferCommand({
    name: "sync",
    description:
      "make the destination equal to the source revision (for cron and CI: never asks; --delete removes extra files)",
    sync: true,
  });
}
