import confirm from "@inquirer/confirm";
import { Command, Option } from "commander";
import { loadSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { type HubName, parseRepoRef, type RepoRef } from "../core/repo-ref.js";
import { isRepoType, type RepoType } from "../core/repo-type.js";
import { migrate } from "../migrate/migrate.js";
import { reportError } from "./fail.js";
import { formatBytes } from "./render/format.js";
import { HumanRenderer } from "./render/human-renderer.js";
import { jsonRenderer } from "./render/json-renderer.js";

export interface MigrateFlags {
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
}

const other = (h: HubName): HubName => (h === "hf" ? "ms" : "hf");

/** Works out source and destination from what was typed, with the rules of seed 001. */
export function resolveRefs(
  sourceArg: string,
  destArg: string | undefined,
  flags: Pick<MigrateFlags, "to" | "dest" | "repoType">,
): { source: RepoRef; destination: RepoRef } {
  if (flags.to && flags.to !== "hf" && flags.to !== "ms")
    throw new HubferryError("BAD_INPUT", `--to must be hf or ms, not "${flags.to}"`);
  if (flags.repoType && !isRepoType(flags.repoType))
    throw new HubferryError(
      "BAD_INPUT",
      `--repo-type must be model, dataset or space, not "${flags.repoType}"`,
    );
  const type = flags.repoType as RepoType | undefined;
  const to = flags.to as HubName | undefined;
  const source = parseRepoRef(sourceArg, { defaultHub: to ? other(to) : undefined, type });
  if (to && source.hub === to)
    throw new HubferryError(
      "BAD_INPUT",
      `the source is already on ${to}; --to names the other hub`,
      `drop --to or use --to ${other(to)}`,
    );
  const destText = flags.dest ?? destArg;
  const destination = destText
    ? parseRepoRef(destText, { defaultHub: other(source.hub), type: source.typeKnown ? undefined : type })
    : { ...source, hub: other(source.hub) };
  if (destination.hub === source.hub)
    throw new HubferryError(
      "BAD_INPUT",
      "source and destination are on the same hub",
      "migrate goes from Hugging Face to ModelScope or back",
    );
  if (!destText) destination.typeKnown = source.typeKnown;
  return { source, destination };
}

function positive(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new HubferryError("BAD_INPUT", `${flag} must be a whole number from 1 to 64`);
  return n;
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new HubferryError("BAD_INPUT", `${flag} must be a positive whole number`);
  return n;
}

interface CommandSpec {
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
      "<source>",
      "hf:owner/name, ms:owner/name, hf:datasets/owner/name, a huggingface.co or modelscope.cn URL, or a bare id with --to",
    )
    .argument("[destination]", "where to (default: the same id on the other hub)")
    .option("--to <hub>", "the destination hub (hf or ms) when the source is a bare id")
    .option("--dest <id>", "destination id or URL (overrides the destination argument)")
    .option("--repo-type <type>", "model, dataset or space (default: detected)")
    .option("--revision <rev>", "source branch, tag or commit (default: the default branch)")
    .option("--include <glob>", "only paths matching (repeatable)", collect, [] as string[])
    .option("--exclude <glob>", "skip paths matching (repeatable)", collect, [] as string[])
    .option("--dry-run", "print the plan and exit without writing", false);
  if (spec.sync) cmd.option("--delete", "also delete destination files the source does not have", false);
  else cmd.option("-y, --yes", "do not ask for confirmation before writing", false);
  return cmd
    .addOption(new Option("--json", "one JSON event per line on stdout").default(false))
    .option("--concurrency <n>", "files copied at the same time (default 4)")
    .option("--batch-files <n>", "commit every n files, so a long run keeps its progress (default 100)")
    .action(
      async (sourceArg: string, destArg: string | undefined, flags: MigrateFlags & { delete?: boolean }) => {
        const controller = new AbortController();
        const onSigint = () => controller.abort();
        process.once("SIGINT", onSigint);
        const human = flags.json ? undefined : new HumanRenderer();
        const events = flags.json ? jsonRenderer() : human!.handle;
        const yes = spec.sync || flags.yes;
        try {
          const { source, destination } = resolveRefs(sourceArg, destArg, flags);
          const interactive = !!process.stdin.isTTY && !flags.json;
          if (!yes && !flags.dryRun && !interactive) {
            throw new HubferryError(
              "NOT_CONFIRMED",
              "this run would write to the destination and no one can confirm it here",
              "pass --yes to run without a prompt (or --dry-run to see the plan)",
            );
          }
          const out = await migrate({
            source,
            destination,
            revision: flags.revision,
            include: flags.include,
            exclude: flags.exclude,
            dryRun: flags.dryRun,
            deleteExtra: spec.sync && !!flags.delete,
            verb: spec.sync ? "Sync" : "Migrate",
            settings: loadSettings(),
            events,
            signal: controller.signal,
            concurrency: positive("--concurrency", flags.concurrency),
            batchFiles:
              flags.batchFiles === undefined ? undefined : positiveInt("--batch-files", flags.batchFiles),
            confirm: yes
              ? undefined
              : async (plan) => {
                  if (plan.copy.length === 0) return true;
                  human?.stopBars();
                  return confirm({
                    message: `Copy ${plan.copy.length} file(s), ${formatBytes(plan.bytes)}, to ${plan.destinationUrl}?`,
                    default: false,
                  });
                },
          });
          if (flags.dryRun && !flags.json) process.stderr.write("dry run: nothing was written\n");
          if (
            !flags.dryRun &&
            !flags.json &&
            out.result &&
            out.result.files === 0 &&
            out.result.deleted === 0
          ) {
            process.stderr.write(`already in sync with ${out.plan.source}: nothing to do\n`);
          }
        } catch (err) {
          human?.stopBars();
          if (controller.signal.aborted)
            throw reportError(
              new HubferryError(
                "CANCELLED",
                "cancelled: nothing half-committed; re-run to finish (files already committed are kept)",
              ),
              flags.json,
            );
          throw reportError(err, flags.json);
        } finally {
          process.removeListener("SIGINT", onSigint);
        }
      },
    );
}

export function migrateCommand(): Command {
  return transferCommand({
    name: "migrate",
    description: "copy a model, dataset or space between Hugging Face and ModelScope, streaming hub to hub",
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
