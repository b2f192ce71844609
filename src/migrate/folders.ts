import { mkdir, stat } from "node:fs/promises";
import { HubferryError } from "../core/errors.js";
import type { RepoRef } from "../core/repo-ref.js";
import { localFolderDestination } from "../hubs/local/local-folder.js";
import { detectSpaceSdk } from "../push/detect-sdk.js";
import { push } from "../push/push.js";
import { destinationHubFor, httpEventsFor, hubFor } from "./hubs-from-settings.js";
import type { MigrateOptions } from "./migrate.js";
import { type WriteRepoResult, writeInto } from "./write-repo.js";

export type FolderTransferOptions = Pick<
  MigrateOptions,
  | "include"
  | "exclude"
  | "dryRun"
  | "deleteExtra"
  | "settings"
  | "events"
  | "signal"
  | "confirm"
  | "concurrency"
  | "batchFiles"
> & {
  dir: string;
  /** "Migrate" or "Sync". */
  verb: string;
};

/**
 * A folder into a hub repo: what `push` does (secrets scanned and refused, `.git` and caches
 * left out, a card generated when there is none), through the same engine, and with `sync
 * --delete` deleting what the folder no longer has. A new repo is private unless asked public.
 */
export async function migrateFromFolder(
  opts: FolderTransferOptions & {
    destination: RepoRef;
    public: boolean;
    knownTokens: { value: string; kind: string }[];
  },
): Promise<WriteRepoResult> {
  const hub = destinationHubFor(opts.destination.hub, opts.settings, httpEventsFor(opts.events));
  return push({
    hub,
    ref: opts.destination,
    dir: opts.dir,
    private: !opts.public,
    sdk: opts.destination.type === "space" ? await detectSpaceSdk(opts.dir) : undefined,
    allowSecrets: false,
    card: {},
    include: opts.include,
    exclude: opts.exclude,
    message: `${opts.verb} from a local folder with hubferry`,
    dryRun: opts.dryRun,
    events: opts.events,
    signal: opts.signal,
    confirm: opts.confirm,
    concurrency: opts.concurrency,
    batchFiles: opts.batchFiles,
    knownTokens: opts.knownTokens,
    deleteExtra: opts.deleteExtra,
    extraHint: opts.deleteExtra ? "" : "they stay; hubferry sync --delete makes the repo equal to the folder",
  });
}

/**
 * A hub repo into a folder: a plain tree of its files at one commit. Each file is written under a
 * temporary name in `DIR/.hubferry-staging/`, verified, and renamed into place in batches, so the
 * folder never holds a half-written or unverified file; a re-run moves only what is missing, and
 * `sync --delete` removes files the repo no longer has.
 */
export async function migrateToFolder(
  opts: FolderTransferOptions & { source: RepoRef; revision?: string },
): Promise<WriteRepoResult> {
  const hub = hubFor(opts.source.hub, opts.settings, httpEventsFor(opts.events));
  const source = { ...opts.source };
  if (!source.typeKnown) source.type = await hub.detectType(source);
  const src = await hub.source(source, opts.revision);
  const there = await stat(opts.dir).catch(() => undefined);
  if (there && !there.isDirectory())
    throw new HubferryError(
      "BAD_INPUT",
      `${opts.dir} exists and is not a folder`,
      "name a folder (it is created if missing)",
    );
  const notes = [
    `writes into ${opts.dir}: each file under a temporary name, renamed into place once verified`,
    there
      ? `${opts.dir} exists: files that differ are replaced, others are kept`
      : `${opts.dir} will be created`,
  ];
  return writeInto(
    src,
    {
      destination: () => localFolderDestination(opts.dir),
      exists: !!there,
      create: async () => {
        await mkdir(opts.dir, { recursive: true });
      },
    },
    {
      ...opts,
      notes,
      extraHint: opts.deleteExtra
        ? ""
        : "they stay; hubferry sync --delete makes the folder equal to the repo",
      private: false,
      commitMessage: () => "",
    },
  );
}
