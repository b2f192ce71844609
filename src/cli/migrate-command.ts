import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import type { HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { PATTERN_FORMS } from "../core/path-filter.js";
import { formatRef, type HubName, parseRepoRef, type RepoRef, wholeRepo } from "../core/repo-ref.js";
import { isRepoType, type RepoType } from "../core/repo-type.js";
import { type BatchOptions, migrateBatch } from "../migrate/batch.js";
import { destinationElsewhere, hubFor } from "../migrate/hubs-from-settings.js";
import { migrate } from "../migrate/migrate.js";
import { modalConfigured } from "../runner/modal-provider.js";
import { runInSandbox } from "../runner/run-in-sandbox.js";
import type { EventSink } from "../transfer/events.js";
import { confirmPlan } from "./confirm-plan.js";
import { ExitCode } from "./fail.js";
import { namesFolder, runFolderTransfer } from "./folder-transfer.js";
import { extraText, formatBytes } from "./render/format.js";
import { runWorker, sandboxSetup, sandboxWorkers, shardedNote } from "./sandbox-workers.js";
import { transferSettings } from "./transfer-settings.js";
import { useUrlLocation } from "./url-location.js";
import { optionalWholeNumber } from "./whole-number.js";
import { withEvents } from "./with-events.js";

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
}

const other = (h: HubName): HubName => (h === "hf" ? "ms" : "hf");

/** Works out source and destination from what was typed, with the rules of seed 001. */
export function resolveRefs(
  sourceArg: string,
  destArg: string | undefined,
  flags: Pick<MigrateFlags, "to" | "dest" | "repoType">,
  settings?: HubSettings,
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
    ? wholeRepo(
        parseRepoRef(destText, { defaultHub: other(source.hub), type: source.typeKnown ? undefined : type }),
        destText,
        "the destination",
      )
    : { hub: other(source.hub), type: source.type, id: source.id, typeKnown: source.typeKnown };
  // Same hub is fine (another name, another owner, another endpoint); the very same repo is not.
  if (
    destination.hub === source.hub &&
    !destinationElsewhere(destination.hub, settings) &&
    destination.id.toLowerCase() === source.id.toLowerCase() &&
    destination.type === source.type
  )
    throw new HubferryError(
      "BAD_INPUT",
      `source and destination are the same repo (${formatRef(source)})`,
      "name another destination: another name or owner on the same hub, or the other hub",
    );
  if (!destText) destination.typeKnown = source.typeKnown;
  return { source, destination };
}

/** The repos of a `--list` file; a line that is not one is named as FILE:LINE. */
function listRefs(
  file: string,
  text: string,
  to: HubName | undefined,
  type: RepoType | undefined,
): RepoRef[] {
  const refs: RepoRef[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    try {
      refs.push(
        wholeRepo(
          parseRepoRef(line, { defaultHub: to ? other(to) : undefined, type }),
          line,
          "a --list line",
        ),
      );
    } catch (err) {
      if (!(err instanceof HubferryError)) throw err;
      throw new HubferryError("BAD_INPUT", `${file}:${i + 1}: ${err.message}`, err.hint);
    }
  });
  return refs;
}

type BatchFlags = MigrateFlags &
  RunnerFlags & { all?: boolean; list?: string; jobs?: string; public?: boolean };

const OWNER_RE = /^(hf|ms):([A-Za-z0-9][A-Za-z0-9._-]*)$/;

/** A batch is asked for by --all, --list, or a source that names only an owner (`hf:SomeOrg`). */
async function batchFrom(
  sourceArg: string | undefined,
  destArg: string | undefined,
  flags: BatchFlags,
): Promise<BatchOptions | undefined> {
  const owner = sourceArg ? OWNER_RE.exec(sourceArg) : null;
  if (!flags.all && !flags.list && !owner) return undefined;
  if (flags.repoType && !isRepoType(flags.repoType))
    throw new HubferryError(
      "BAD_INPUT",
      `--repo-type must be model, dataset or space, not "${flags.repoType}"`,
    );
  const settings = transferSettings(flags);
  const types: RepoType[] = flags.repoType ? [flags.repoType as RepoType] : ["model", "dataset", "space"];
  let source: BatchOptions["source"];
  let srcHub: HubName;
  if (flags.list) {
    let text: string;
    try {
      text = await readFile(flags.list, "utf8");
    } catch (err) {
      throw new HubferryError(
        "BAD_INPUT",
        `cannot read --list ${flags.list}: ${(err as Error).message}`,
        "give a file with one repo per line (hf:Org/name, URLs, or bare ids with --to)",
      );
    }
    const to = flags.to as HubName | undefined;
    const list = listRefs(flags.list, text, to, flags.repoType as RepoType | undefined);
    if (list.length === 0) throw new HubferryError("BAD_INPUT", `--list ${flags.list} names no repo`);
    srcHub = list[0]!.hub;
    if (list.some((r) => r.hub !== srcHub))
      throw new HubferryError("BAD_INPUT", "every repo in --list must be on the same hub");
    source = { list };
  } else if (owner) {
    srcHub = owner[1] as HubName;
    source = { hub: srcHub, owner: owner[2]! };
  } else {
    const hubArg = (flags.to ? other(flags.to as HubName) : (sourceArg ?? "").replace(/:.*/, "")) as HubName;
    if (hubArg !== "hf" && hubArg !== "ms")
      throw new HubferryError(
        "BAD_INPUT",
        "--all needs the source hub: hubferry migrate hf: --all, or --to ms",
      );
    srcHub = hubArg;
    source = { hub: srcHub, owner: (await hubFor(srcHub, settings).whoami()).name };
  }
  // `migrate --list FILE ms:Org`: the list names the sources, so the one argument is where to.
  if (flags.list && sourceArg && destArg === undefined) destArg = sourceArg;
  else if (flags.list && sourceArg)
    throw new HubferryError(
      "BAD_INPUT",
      `--list names the source repos; "${sourceArg}" cannot be a source too`,
      "give only the destination owner: hubferry migrate --list FILE ms:OtherOrg",
    );
  const destText = flags.dest ?? destArg;
  let destOwner: string | undefined;
  let destHub = other(srcHub);
  if (destText) {
    const d = OWNER_RE.exec(destText) ?? /^()([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(destText);
    if (!d)
      throw new HubferryError(
        "BAD_INPUT",
        `in a batch the destination is an owner (ms:OtherOrg), not "${destText}"`,
      );
    if (d[1]) destHub = d[1] as HubName;
    destOwner = d[2];
  }
  // On one server a batch needs another owner: each repo would otherwise be its own destination.
  const sameOwner =
    !destOwner || ("owner" in source && source.owner.toLowerCase() === destOwner.toLowerCase());
  if (destHub === srcHub && sameOwner && !destinationElsewhere(destHub, settings))
    throw new HubferryError(
      "BAD_INPUT",
      "a batch on one hub needs another owner for the copies",
      `name one (${srcHub}:OtherOrg), or send the batch to the other hub or to --dest-endpoint`,
    );
  return {
    source,
    destHub,
    destOwner,
    types,
    include: flags.include,
    exclude: flags.exclude,
    jobs: optionalWholeNumber("--jobs", flags.jobs, 1, 64) ?? 2,
    settings,
    dryRun: flags.dryRun,
    events: () => {},
  };
}

async function runBatch(
  batch: BatchOptions,
  flags: BatchFlags,
  extra: { deleteExtra: boolean; verb: string; signal: AbortSignal },
): Promise<void> {
  const rows = await migrateBatch({
    ...batch,
    ...extra,
    events: (repo, e) => {
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...e, repo })}\n`);
      else if (e.event === "summary")
        process.stderr.write(
          `  ${repo}: ${e.files} file(s), ${formatBytes(e.bytes)} → ${e.destinationUrl}\n`,
        );
    },
  });
  if (flags.json) process.stdout.write(`${JSON.stringify({ event: "batch", repos: rows })}\n`);
  else {
    const w = Math.max(...rows.map((r) => r.source.length), 6);
    const lines = rows.map(
      (r) =>
        `${r.source.padEnd(w)}  ${r.status.padEnd(10)}  ${r.status === "failed" ? `${r.error?.code}: ${r.error?.message}` : `${r.files} file(s), ${formatBytes(r.bytes)} → ${r.destination}${r.extra ? `; ${extraText(r.extra)}` : ""}`}`,
    );
    process.stdout.write(`${"source".padEnd(w)}  status      detail\n${lines.join("\n")}\n`);
    const failed = rows.filter((r) => r.status === "failed").length;
    process.stdout.write(`${rows.length} repo(s): ${rows.length - failed} ok, ${failed} failed\n`);
  }
  if (rows.some((r) => r.status === "failed")) throw new ExitCode(1);
}

export const LOCAL_NOTE = "runs locally: bytes stream through this process's memory, never its disk";

type RunnerFlags = {
  runner?: string;
  timeout?: string;
  region?: string;
  cpu?: string;
  memory?: string;
  sandboxes?: string;
  workOrder?: string;
};

async function chooseRunner(flag: string | undefined): Promise<"local" | "modal" | "process"> {
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
  return args;
}

/** One repo's run in a sandbox, with the sandbox limits the flags ask for. */
function sandboxRunner(
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
  } else cmd.option("-y, --yes", "do not ask for confirmation before writing", false);
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
      ) =>
        withEvents(
          flags.json,
          "cancelled: nothing half-committed; re-run to finish (files already committed are kept)",
          async (eventRun) => {
            const { events, human, signal } = eventRun;
            if (namesFolder(sourceArg, destArg, flags)) {
              await runFolderTransfer(
                { verb: spec.sync ? "Sync" : "Migrate", sync: spec.sync },
                sourceArg,
                destArg,
                flags,
                eventRun,
              );
              return;
            }
            if (flags.workOrder !== undefined) {
              const refs = resolveRefs(sourceArg ?? "", destArg, flags, transferSettings(flags));
              await runWorker(
                refs,
                { ...flags, workOrder: flags.workOrder },
                transferSettings(flags),
                events,
                signal,
              );
              return;
            }
            const yes = spec.sync || flags.yes;
            const sandboxes = optionalWholeNumber("--sandboxes", flags.sandboxes, 1, 100) ?? 1;
            const batch = await batchFrom(sourceArg, destArg, flags);
            if (batch && sandboxes > 1)
              throw new HubferryError(
                "BAD_INPUT",
                "--sandboxes splits one repo over several sandboxes; a batch already runs one sandbox per repo",
                "drop --sandboxes (use --jobs for repos at a time), or name one repo",
              );
            if (batch) {
              if (!yes && !flags.dryRun) {
                throw new HubferryError(
                  "NOT_CONFIRMED",
                  "a batch writes to many repos and is not asked about one by one",
                  "look at it with --dry-run first, then pass --yes",
                );
              }
              const batchRunner = await chooseRunner(flags.runner);
              if (batchRunner !== "local") {
                // In a batch --include/--exclude chose the repos by name: each worker copies its whole repo.
                const repoFlags = { ...flags, include: [], exclude: [] };
                const inSandbox = sandboxRunner(batchRunner, spec, repoFlags, batch.settings, signal);
                batch.runRepo = (src, dst, repoEvents) =>
                  inSandbox(src, dst, repoEvents).then(() => undefined);
              }
              await runBatch(batch, flags, {
                deleteExtra: spec.sync && !!flags.delete,
                verb: spec.sync ? "Sync" : "Migrate",
                signal: signal,
              });
              return;
            }
            if (!sourceArg)
              throw new HubferryError(
                "BAD_INPUT",
                "no source repo given",
                "name one (hf:Org/name), an owner for a batch (hf:Org), or --list FILE / --all",
              );
            const settings = transferSettings(flags);
            const { source, destination } = resolveRefs(sourceArg, destArg, flags, settings);
            useUrlLocation(source, flags);
            const runner = await chooseRunner(flags.runner);
            if (sandboxes > 1 && runner === "local")
              throw new HubferryError(
                "BAD_INPUT",
                "--sandboxes needs a sandbox runner: each worker runs in a sandbox of its own",
                "add --runner modal (or --runner process to try it on this machine)",
              );
            const workers =
              sandboxes > 1 && runner !== "local"
                ? { count: sandboxes, start: sandboxWorkers(runner, spec.name, flags, settings) }
                : undefined;
            if (runner !== "local" && !workers) {
              if (!yes && !flags.dryRun) {
                throw new HubferryError(
                  "NOT_CONFIRMED",
                  `a run in a ${runner} sandbox cannot ask for confirmation`,
                  "look at the plan with --dry-run, then pass --yes",
                );
              }
              await sandboxRunner(runner, spec, flags, settings, signal)(source, destination, events);
              return;
            }
            const interactive = !!process.stdin.isTTY && !flags.json;
            if (!yes && !flags.dryRun && !interactive) {
              throw new HubferryError(
                "NOT_CONFIRMED",
                "this run would write to the destination and no one can confirm it here",
                "pass --yes to run without a prompt (or --dry-run to see the plan)",
              );
            }
            await migrate({
              source,
              destination,
              revision: flags.revision,
              include: flags.include,
              exclude: flags.exclude,
              dryRun: flags.dryRun,
              deleteExtra: spec.sync && !!flags.delete,
              verb: spec.sync ? "Sync" : "Migrate",
              runnerNote: workers && runner !== "local" ? shardedNote(runner, sandboxes) : LOCAL_NOTE,
              workers,
              settings,
              license: flags.license,
              events,
              signal: signal,
              concurrency: optionalWholeNumber("--concurrency", flags.concurrency, 1, 64),
              batchFiles: optionalWholeNumber("--batch-files", flags.batchFiles, 1),
              confirm: yes ? undefined : confirmPlan(human),
            });
            // A run with nothing to do is said by the renderer, in one line.
            if (flags.dryRun && !flags.json) process.stderr.write("dry run: nothing was written\n");
          },
        ),
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
