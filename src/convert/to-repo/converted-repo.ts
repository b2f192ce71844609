import type { TransferSource } from "../../transfer/types.js";
import { readCheckpoint } from "../checkpoint/read-checkpoint.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import type { GgufLayout } from "../gguf/write-header.js";
import { layOutGguf } from "../gguf/write-header.js";
import { type GgufPlan, planGguf } from "../gguf-plan.js";
import { ggufRange } from "../gguf-range.js";
import type { OutputType } from "../type-policy.js";
import { isCompanionFile } from "./companion-files.js";
import { ggufCard } from "./gguf-card.js";
import { type ConvertedRepoCommon, type MadeFile, madeFromBytes, madeRepo } from "./made-repo.js";

/**
 * A checkpoint as the repo its conversion to GGUF would be: the GGUF (made by range as it is read,
 * see made-repo.ts), the source's config and tokenizer files, and a card that names the source.
 */
export interface ConvertedRepoOptions extends ConvertedRepoCommon {
  type: OutputType;
  name?: string;
  pre?: string;
  /** The GGUF's file name in the repo (default: `<source name>-<TYPE>.gguf`). */
  fileName?: string;
  /** The source's Hub id, for the card's `base_model` (only where the id means it: Hugging Face). */
  baseModel?: string;
}

export interface ConvertedRepo {
  source: TransferSource;
  plan: GgufPlan;
  layout: GgufLayout;
  fileName: string;
}

export async function convertedRepo(
  checkpoint: CheckpointSource,
  opts: ConvertedRepoOptions,
): Promise<ConvertedRepo> {
  const plan = await planGguf(await readCheckpoint(checkpoint), {
    type: opts.type,
    name: opts.name,
    pre: opts.pre,
  });
  const layout = layOutGguf(plan.metadata, plan.tensors);
  const fileName = opts.fileName ?? `${checkpoint.name}-${opts.type.toUpperCase()}.gguf`;
  const card = new TextEncoder().encode(
    ggufCard({
      repoId: opts.repoId,
      fileName,
      sourceLabel: opts.sourceLabel,
      baseModel: opts.baseModel,
      license: opts.license,
      hfArchitecture: plan.hfArchitecture,
      architecture: plan.architecture,
      type: opts.type,
      bytes: layout.fileSize,
      version: opts.version,
    }),
  );
  const gguf: MadeFile = {
    path: fileName,
    size: layout.fileSize,
    large: true,
    read: (start, end, signal) => ggufRange(plan, layout, checkpoint, start, end, signal),
  };
  const source = madeRepo({
    label: opts.sourceLabel,
    revision: opts.revision,
    made: [madeFromBytes("README.md", card), gguf],
    checkpoint,
    passThrough: isCompanionFile,
    listing: opts.listing,
    dryRun: opts.dryRun,
    onHashing: (_path, done, total) => opts.onHashing?.(done, total),
    signal: opts.signal,
  });
  return { source, plan, layout, fileName };
}
