// What migrate and sync do, loaded only when one of them runs (its definition, for --help, is
// migrate-command.ts).
import { HubferryError } from "../core/errors.js";
import { migrate } from "../migrate/migrate.js";
import { confirmPlan } from "./confirm-plan.js";
import { parseConvertSpec } from "./convert-spec.js";
import { namesFolder, runFolderTransfer } from "./folder-transfer.js";
import { batchFrom, runBatch } from "./migrate-batch.js";
import type { BatchFlags, CommandSpec } from "./migrate-command.js";
import { chooseRunner, LOCAL_NOTE, sandboxRunner } from "./migrate-runner.js";
import { resolveRefs } from "./resolve-refs.js";
import { runWorker, sandboxWorkers, shardedNote } from "./sandbox-workers.js";
import { transferSettings } from "./transfer-settings.js";
import { useUrlLocation } from "./url-location.js";
import { optionalWholeNumber } from "./whole-number.js";
import { withEvents } from "./with-events.js";

export function transferAction(
  spec: CommandSpec,
  sourceArg: string | undefined,
  destArg: string | undefined,
  flags: BatchFlags & { delete?: boolean },
): Promise<void> {
  return withEvents(
    flags.json,
    "cancelled: nothing half-committed; re-run to finish (files already committed are kept)",
    async (eventRun) => {
      const { events, human, signal } = eventRun;
      const convert = parseConvertSpec(flags.convert);
      if (namesFolder(sourceArg, destArg, flags)) {
        if (convert)
          throw new HubferryError(
            "BAD_INPUT",
            "--convert reads a hub repo and writes a hub repo",
            "for a folder, use hubferry convert SOURCE --to gguf --output FILE (or --repo DEST)",
          );
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
          batch.runRepo = (src, dst, repoEvents) => inSandbox(src, dst, repoEvents).then(() => undefined);
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
      if (convert && sandboxes > 1)
        throw new HubferryError(
          "BAD_INPUT",
          "--convert makes one GGUF in one place: it cannot be split over --sandboxes",
          "drop --sandboxes (a --runner sandbox still converts there, one per repo)",
        );
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
        convert,
      });
      // A run with nothing to do is said by the renderer, in one line.
      if (flags.dryRun && !flags.json) process.stderr.write("dry run: nothing was written\n");
    },
  );
}
