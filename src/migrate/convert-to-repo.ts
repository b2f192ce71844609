import type { CheckpointSource } from "../convert/checkpoint/source.js";
import type { HubSettings } from "../core/config.js";
import type { RepoRef } from "../core/repo-ref.js";
import type { EventSink } from "../transfer/events.js";
import { type ConvertSpec, convertedAs, convertingSource } from "./converted-source.js";
import { destinationHubFor, httpEventsFor } from "./hubs-from-settings.js";
import { checkWriter, prepareDestination, type WriteRepoResult, writeRepo } from "./write-repo.js";

export interface ConvertToRepoOptions {
  /** A local checkpoint folder or GGUF file (a hub repo source goes through `migrate` with `convert`). */
  checkpoint: CheckpointSource;
  sourceLabel: string;
  destination: RepoRef;
  spec: ConvertSpec;
  settings: HubSettings;
  /** A repo that has to be created is private unless this says public. */
  public: boolean;
  dryRun: boolean;
  events: EventSink;
  signal?: AbortSignal;
}

/**
 * `convert FOLDER --to gguf --repo DEST`: the destination token checked first, the repo made if it
 * is missing, then the converted repo (GGUF, config, tokenizer, card) uploaded through the same
 * engine and verification as every migration, the GGUF made as it is read.
 */
export async function convertFolderToRepo(opts: ConvertToRepoOptions): Promise<WriteRepoResult> {
  const destHub = destinationHubFor(opts.destination.hub, opts.settings, httpEventsFor(opts.events));
  const me = await checkWriter(destHub);
  const notes = ["converts in this process: the output is made as it is uploaded, never written to disk"];
  const visibility = opts.public ? "public" : "private";
  const exists = await prepareDestination(
    destHub,
    opts.destination,
    me,
    notes,
    `${visibility}, --public to change`,
  );
  const source = await convertingSource(opts.checkpoint, {
    spec: opts.spec,
    repoId: opts.destination.id,
    sourceLabel: opts.sourceLabel,
    revision: "local",
    dryRun: opts.dryRun,
    events: opts.events,
    signal: opts.signal,
  });
  return writeRepo(source, destHub, opts.destination, exists, {
    dryRun: opts.dryRun,
    notes,
    extraHint: "they stay",
    private: !opts.public,
    events: opts.events,
    signal: opts.signal,
    commitMessage: (i, n) =>
      `Convert ${opts.checkpoint.name} to ${convertedAs(opts.spec)} with hubferry${n > 1 ? ` (batch ${i}/${n})` : ""}`,
  });
}
