import type { TransferSource } from "../../transfer/types.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import { planFromGguf } from "../to-safetensors/plan-from-gguf.js";
import type { SafetensorsDtype, SafetensorsPlan } from "../to-safetensors/safetensors-plan.js";
import { safetensorsRange } from "../to-safetensors/safetensors-range.js";
import { isNoticeFile } from "./companion-files.js";
import { type ConvertedRepoCommon, type MadeFile, madeFromBytes, madeRepo } from "./made-repo.js";
import { safetensorsCard } from "./safetensors-card.js";

/**
 * A GGUF as the repo its conversion to safetensors would be: `model.safetensors` (dequantized by
 * range as it is read, see made-repo.ts), `config.json` and (where the vocabulary allows) the
 * tokenizer rebuilt from the GGUF's metadata, the source's licence files, and a card that names
 * the source.
 */
export interface ConvertedSafetensorsOptions extends ConvertedRepoCommon {
  /** The GGUF file in the source. */
  file: string;
  dtype: SafetensorsDtype;
}

export async function convertedSafetensorsRepo(
  source: CheckpointSource,
  opts: ConvertedSafetensorsOptions,
): Promise<{ source: TransferSource; plan: SafetensorsPlan; keys: number; warnings: string[] }> {
  const { header, plan, tokenizer } = await planFromGguf(source, opts.file, opts.dtype);
  const encoder = new TextEncoder();
  const card = safetensorsCard({
    repoId: opts.repoId,
    sourceLabel: opts.sourceLabel,
    license: opts.license,
    hfArchitecture: String((plan.config.architectures as string[])[0]),
    sourceTypes: [...new Set(plan.tensors.map((t) => t.from.type))].sort(),
    dtype: opts.dtype,
    bytes: plan.fileSize,
    version: opts.version,
  });
  const weights: MadeFile = {
    path: "model.safetensors",
    size: plan.fileSize,
    large: true,
    read: (start, end, signal) => safetensorsRange(plan, source, opts.file, start, end, signal),
  };
  const made = [
    madeFromBytes("README.md", encoder.encode(card)),
    madeFromBytes("config.json", encoder.encode(`${JSON.stringify(plan.config, null, 2)}\n`)),
    ...Object.entries(tokenizer.files).map(([name, text]) => madeFromBytes(name, encoder.encode(text))),
    weights,
  ];
  const repo = madeRepo({
    label: opts.sourceLabel,
    revision: opts.revision,
    made,
    checkpoint: source,
    passThrough: isNoticeFile,
    listing: opts.listing,
    dryRun: opts.dryRun,
    onHashing: (_path, done, total) => opts.onHashing?.(done, total),
    signal: opts.signal,
  });
  return {
    source: repo,
    plan,
    keys: header.metadata.size,
    warnings: tokenizer.warning ? [tokenizer.warning] : [],
  };
}
