// `pull model ID --format gguf` when the repo has no GGUF of the wanted type: the safetensors are
// converted while they download (by range, nothing staged), into --output DIR.
import { join } from "node:path";
import { transferCheckpointSource } from "../convert/checkpoint/transfer-source-adapter.js";
import { convertToGguf } from "../convert/convert-to-gguf.js";
import { OUTPUT_TYPES, type OutputType } from "../convert/type-policy.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";
import { quantizationOf } from "../formats/quantization.js";
import type { Hub } from "../hubs/hub.js";
import type { EventSink } from "../transfer/events.js";
import type { PullFlags } from "./pull-command.js";

/** The GGUF type a --format gguf pull wants: --quantization, Q4_K_M by default. */
export function wantedGguf(flags: PullFlags): string {
  const wanted = (flags.quantization ?? "Q4_K_M").toUpperCase();
  if (!(OUTPUT_TYPES as readonly string[]).includes(wanted.toLowerCase()))
    throw new HubferryError(
      "BAD_INPUT",
      `--format gguf cannot make ${wanted}`,
      `use one of ${OUTPUT_TYPES.join(", ")} (upper or lower case)`,
    );
  return wanted;
}

/**
 * Converts when the repo has no GGUF of that type and returns the file written; returns undefined
 * when it has one (the caller pulls it as any pull does).
 */
export async function pullConverting(
  hub: Hub,
  ref: RepoRef,
  flags: PullFlags,
  run: { events: EventSink; signal: AbortSignal },
): Promise<string | undefined> {
  const wanted = wantedGguf(flags);
  const repo = await hub.source(ref, flags.revision);
  const files = await repo.list();
  if (files.some((f) => f.path.toLowerCase().endsWith(".gguf") && quantizationOf(f.path) === wanted))
    return undefined;
  if (!flags.output)
    throw new HubferryError(
      "BAD_INPUT",
      `${formatRef(ref)} has no ${wanted} GGUF; converting it needs --output DIR`,
      "add --output DIR (the converted file is not a file of the repo, so it does not go into the cache)",
    );
  const name = ref.id.split("/").pop() ?? "model";
  const output = join(flags.output, `${name}-${wanted}.gguf`);
  const source = await transferCheckpointSource(repo, ref.id);
  await convertToGguf(source, {
    type: wanted.toLowerCase() as OutputType,
    output,
    label: `${formatRef(ref)}@${repo.revision}`,
    dryRun: flags.dryRun,
    events: run.events,
    signal: run.signal,
  });
  return output;
}
