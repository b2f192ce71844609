import type { EventSink } from "../transfer/events.js";
import { readCheckpoint } from "./checkpoint/read-checkpoint.js";
import type { CheckpointSource } from "./checkpoint/source.js";
import { convertPlanEvent, emitConverted, reportingSink } from "./convert-events.js";
import { type FileOutput, fileOutput } from "./file-sink.js";
import { layOutGguf } from "./gguf/write-header.js";
import { planGguf } from "./gguf-plan.js";
import type { OutputType } from "./type-policy.js";
import { writeGguf } from "./write-gguf.js";

/**
 * safetensors -> GGUF, from a folder or a hub repo to a file: plan, say the plan, then stream the
 * file under a temporary name, hashing it as it is written, and rename it into place. Progress
 * and the result are the same events every command emits.
 */
export interface ConvertToGgufOptions {
  type: OutputType;
  output: string;
  /** How the source is named in the plan (hf:org/name@rev, or the folder). */
  label: string;
  name?: string;
  pre?: string;
  dryRun: boolean;
  events: EventSink;
  signal?: AbortSignal;
}

export interface ConvertResult {
  bytes: number;
  sha256?: string;
}

export async function convertToGguf(
  source: CheckpointSource,
  opts: ConvertToGgufOptions,
): Promise<ConvertResult> {
  const started = Date.now();
  const checkpoint = await readCheckpoint(source);
  const plan = await planGguf(checkpoint, { type: opts.type, name: opts.name, pre: opts.pre });
  const layout = layOutGguf(plan.metadata, plan.tensors);
  opts.events(convertPlanEvent(plan, layout, { ...opts, source: opts.label }));
  if (opts.dryRun) return { bytes: layout.fileSize };
  const out: FileOutput = await fileOutput(opts.output);
  const {
    sink,
    progress,
    sha256: digest,
  } = reportingSink(opts.events, out, opts.output, layout.fileSize, opts.signal);
  try {
    const written = await writeGguf(plan, layout, source, sink, progress);
    await out.commit();
    const sha256 = digest();
    emitConverted(opts.events, {
      path: opts.output,
      output: opts.output,
      bytes: written,
      sha256,
      files: 1,
      started,
    });
    return { bytes: written, sha256 };
  } catch (err) {
    await out.abort();
    throw err;
  }
}
