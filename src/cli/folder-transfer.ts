import { HubferryError } from "../core/errors.js";
import { folderArg } from "../core/folder-arg.js";
import { parseRepoRef, wholeRepo } from "../core/repo-ref.js";
import type { RepoType } from "../core/repo-type.js";
import { isRepoType } from "../core/repo-type.js";
import { migrateFromFolder, migrateToFolder } from "../migrate/folders.js";
import { confirmPlan } from "./confirm-plan.js";
import { knownTokens } from "./known-tokens.js";
import type { MigrateFlags } from "./migrate-command.js";
import { transferSettings } from "./transfer-settings.js";
import { useUrlLocation } from "./url-location.js";
import { optionalWholeNumber } from "./whole-number.js";
import type { EventRun } from "./with-events.js";

/** migrate's flags, as a folder transfer reads them (type-only: no import cycle at run time). */
export type FolderFlags = MigrateFlags & {
  runner?: string;
  sandboxes?: string;
  all?: boolean;
  list?: string;
  public?: boolean;
  delete?: boolean;
};

/** Whether the command names a local folder on either side (then it is a folder transfer). */
export function namesFolder(sourceArg: string | undefined, destArg: string | undefined, flags: FolderFlags) {
  return !!(folderArg(sourceArg) ?? folderArg(flags.dest ?? destArg));
}

/** What a folder transfer cannot be combined with, refused before anything runs. */
function refuseFolderCombinations(flags: FolderFlags, bothFolders: boolean, toFolder: boolean): void {
  const refuse = (message: string, hint: string) => {
    throw new HubferryError("BAD_INPUT", message, hint);
  };
  if (bothFolders)
    refuse("both sides are local folders", "copy folders with cp or rsync; hubferry moves repos");
  if (flags.runner && flags.runner !== "local")
    refuse(
      `--runner ${flags.runner} cannot reach a folder on this machine: a sandbox has only its own disk`,
      "drop --runner (a folder transfer runs here)",
    );
  if (flags.sandboxes && flags.sandboxes !== "1")
    refuse("--sandboxes is for hub-to-hub runs", "drop --sandboxes for a folder transfer");
  if (flags.all || flags.list) refuse("a batch copies repos, not folders", "drop --all / --list");
  if (flags.destEndpoint !== undefined && toFolder)
    refuse("--dest-endpoint names a server, and the destination is a folder", "drop --dest-endpoint");
}

/**
 * `migrate ./dir hf:o/n`, `migrate ms:o/n ./dir`, and their `sync`: a folder on one side, a repo
 * on the other, through the same engine in this process (a sandbox cannot see this machine's disk).
 */
export async function runFolderTransfer(
  command: { verb: "Migrate" | "Sync"; sync: boolean },
  sourceArg: string | undefined,
  destArg: string | undefined,
  flags: FolderFlags,
  { events, human, signal }: EventRun,
): Promise<void> {
  const destText = flags.dest ?? destArg;
  const srcDir = folderArg(sourceArg);
  const destDir = folderArg(destText);
  refuseFolderCombinations(flags, !!srcDir && !!destDir, !!destDir);
  if (flags.repoType && !isRepoType(flags.repoType))
    throw new HubferryError(
      "BAD_INPUT",
      `--repo-type must be model, dataset or space, not "${flags.repoType}"`,
    );
  const type = flags.repoType as RepoType | undefined;
  const yes = command.sync || flags.yes;
  const interactive = !!process.stdin.isTTY && !flags.json;
  if (!yes && !flags.dryRun && !interactive)
    throw new HubferryError(
      "NOT_CONFIRMED",
      "this run would write and no one can confirm it here",
      "pass --yes to run without a prompt (or --dry-run to see the plan)",
    );
  const common = {
    include: flags.include,
    exclude: flags.exclude,
    dryRun: flags.dryRun,
    deleteExtra: command.sync && !!flags.delete,
    verb: command.verb,
    settings: transferSettings(flags),
    events,
    signal,
    confirm: yes ? undefined : confirmPlan(human),
    concurrency: optionalWholeNumber("--concurrency", flags.concurrency, 1, 64),
    batchFiles: optionalWholeNumber("--batch-files", flags.batchFiles, 1),
  };
  if (srcDir) {
    if (!destText)
      throw new HubferryError(
        "BAD_INPUT",
        "a folder source needs a destination repo",
        "e.g. hubferry migrate ./dir hf:me/name",
      );
    const destination = wholeRepo(parseRepoRef(destText, { type }), destText, "the destination");
    await migrateFromFolder({
      ...common,
      dir: srcDir,
      destination,
      public: !!flags.public,
      knownTokens: knownTokens(common.settings),
    });
  } else {
    if (!sourceArg) throw new HubferryError("BAD_INPUT", "no source repo given");
    const source = parseRepoRef(sourceArg, { type });
    // A URL's revision and file or folder are used as on any migrate, never dropped.
    useUrlLocation(source, flags);
    await migrateToFolder({
      ...common,
      include: flags.include,
      dir: destDir!,
      source,
      revision: flags.revision,
    });
  }
  if (flags.dryRun && !flags.json) process.stderr.write("dry run: nothing was written\n");
}
