import type { CheckpointSource } from "../convert/checkpoint/source.js";
import { transferCheckpointSource } from "../convert/checkpoint/transfer-source-adapter.js";
import { convertPlanEvent } from "../convert/convert-events.js";
import { convertedRepo } from "../convert/to-repo/converted-repo.js";
import type { OutputType } from "../convert/type-policy.js";
import { hubferryVersion } from "../core/version.js";
import type { RepoDetails } from "../hubs/hub.js";
import type { EventSink } from "../transfer/events.js";
import type { SourceFile, TransferSource } from "../transfer/types.js";

/** `--convert gguf:TYPE`: what the destination receives instead of the source's weights. */
export interface ConvertSpec {
  type: OutputType;
  name?: string;
  pre?: string;
}

export interface ConvertingOptions {
  spec: ConvertSpec;
  /** The destination repo's id (the card's title). */
  repoId: string;
  /** The source as the card names it, its Hub id for `base_model` (Hugging Face sources only), licence. */
  sourceLabel: string;
  baseModel?: string;
  license?: string;
  revision: string;
  listing?: SourceFile[];
  dryRun: boolean;
  events: EventSink;
  signal?: AbortSignal;
}

/**
 * A checkpoint seen through its conversion, as the source a migration copies from: the plan is
 * said first (the `convert_plan` event), then the hashing pass is reported in tenths, since on a
 * large model it takes minutes before the first byte goes up.
 */
export async function convertingSource(
  checkpoint: CheckpointSource,
  opts: ConvertingOptions,
): Promise<TransferSource> {
  let fileName = "";
  let said = 0;
  const converted = await convertedRepo(checkpoint, {
    ...opts.spec,
    repoId: opts.repoId,
    sourceLabel: opts.sourceLabel,
    baseModel: opts.baseModel,
    license: opts.license,
    revision: opts.revision,
    listing: opts.listing,
    dryRun: opts.dryRun,
    version: hubferryVersion(),
    signal: opts.signal,
    onHashing: (done, total) => {
      const tenth = Math.floor((done / total) * 10);
      if (tenth <= said && done < total) return;
      said = tenth;
      opts.events({
        event: "note",
        message: `${fileName}: first pass, hashing (the hub needs the sha256 before the bytes): ${Math.round((done / total) * 100)}%`,
      });
    },
  });
  fileName = converted.fileName;
  opts.events(
    convertPlanEvent(converted.plan, converted.layout, {
      source: opts.sourceLabel,
      output: `${opts.repoId}/${fileName}`,
      type: opts.spec.type,
      dryRun: opts.dryRun,
    }),
  );
  return converted.source;
}

/** A hub repo's source (pinned to a commit) seen through its conversion. */
export async function convertingRepoSource(
  src: TransferSource & { info: RepoDetails },
  opts: Omit<ConvertingOptions, "sourceLabel" | "revision" | "listing" | "license">,
): Promise<TransferSource & { info: RepoDetails }> {
  const listing = await src.list();
  const checkpoint = await transferCheckpointSource(src, src.info.id);
  const source = await convertingSource(checkpoint, {
    ...opts,
    // The card names the whole commit the weights came from, not the short form labels use.
    sourceLabel: `${src.label.split("@")[0]}@${src.revision}`,
    revision: src.revision,
    listing,
    license: src.info.license,
  });
  return Object.assign(source, { info: src.info });
}
