import type { CheckpointSource } from "../convert/checkpoint/source.js";
import { transferCheckpointSource } from "../convert/checkpoint/transfer-source-adapter.js";
import { convertPlanEvent, safetensorsPlanEvent } from "../convert/convert-events.js";
import { convertedRepo } from "../convert/to-repo/converted-repo.js";
import { convertedSafetensorsRepo } from "../convert/to-repo/converted-safetensors-repo.js";
import type { ConvertedRepoCommon } from "../convert/to-repo/made-repo.js";
import { pickGguf } from "../convert/to-repo/pick-gguf.js";
import type { SafetensorsDtype } from "../convert/to-safetensors/safetensors-plan.js";
import type { OutputType } from "../convert/type-policy.js";
import { hubferryVersion } from "../core/version.js";
import type { RepoDetails } from "../hubs/hub.js";
import type { EventSink } from "../transfer/events.js";
import type { TransferSource } from "../transfer/types.js";

/** `--convert gguf:TYPE` / `safetensors:DTYPE`: what the destination receives instead of the source's weights. */
export type ConvertSpec =
  | { to: "gguf"; type: OutputType; name?: string; pre?: string }
  | {
      to: "safetensors";
      dtype: SafetensorsDtype;
      /** Which of the source's GGUF files (it may hold several). */
      quantization?: string;
      /** A single GGUF file as the source: its path in the checkpoint. */
      file?: string;
    };

/** How a commit message names the conversion: "GGUF Q4_K_M", "safetensors BF16". */
export function convertedAs(spec: ConvertSpec): string {
  return spec.to === "gguf" ? `GGUF ${spec.type.toUpperCase()}` : `safetensors ${spec.dtype}`;
}

export interface ConvertingOptions extends Omit<ConvertedRepoCommon, "version" | "onHashing"> {
  spec: ConvertSpec;
  /** The source's Hub id for the card's `base_model` (Hugging Face sources only). */
  baseModel?: string;
  events: EventSink;
}

/** Reports the hashing pass in tenths: on a large model it takes minutes before the first byte goes up. */
function hashingNotes(events: EventSink, file: () => string): (done: number, total: number) => void {
  let said = 0;
  return (done, total) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth <= said && done < total) return;
    said = tenth;
    events({
      event: "note",
      message: `${file()}: first pass, hashing (the hub needs the sha256 before the bytes): ${Math.round((done / total) * 100)}%`,
    });
  };
}

/**
 * A checkpoint (or a GGUF) seen through its conversion, as the source a migration copies from:
 * the plan is said first (the `convert_plan` event), then the hashing pass as notes.
 */
export async function convertingSource(
  checkpoint: CheckpointSource,
  opts: ConvertingOptions,
): Promise<TransferSource> {
  const common = {
    repoId: opts.repoId,
    sourceLabel: opts.sourceLabel,
    license: opts.license,
    revision: opts.revision,
    listing: opts.listing,
    dryRun: opts.dryRun,
    version: hubferryVersion(),
    signal: opts.signal,
  };
  const { spec } = opts;
  if (spec.to === "safetensors") {
    const file = spec.file ?? pickGguf(await checkpoint.list(), spec.quantization);
    const sourceLabel = spec.file ? opts.sourceLabel : `${opts.sourceLabel}/${file}`;
    const converted = await convertedSafetensorsRepo(checkpoint, {
      ...common,
      sourceLabel,
      file,
      dtype: spec.dtype,
      onHashing: hashingNotes(opts.events, () => "model.safetensors"),
    });
    opts.events(
      safetensorsPlanEvent(converted.plan, converted.keys, {
        source: sourceLabel,
        output: `${opts.repoId}/model.safetensors`,
        dryRun: opts.dryRun,
        warnings: converted.warnings,
      }),
    );
    return converted.source;
  }
  let fileName = "";
  const converted = await convertedRepo(checkpoint, {
    ...common,
    type: spec.type,
    name: spec.name,
    pre: spec.pre,
    baseModel: opts.baseModel,
    onHashing: hashingNotes(opts.events, () => fileName),
  });
  fileName = converted.fileName;
  opts.events(
    convertPlanEvent(converted.plan, converted.layout, {
      source: opts.sourceLabel,
      output: `${opts.repoId}/${fileName}`,
      type: spec.type,
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
  const checkpoint = await transferCheckpointSource(src, src.info.id, listing);
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
