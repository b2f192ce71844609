import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HubferryError } from "../../core/errors.js";
import type { EventSink } from "../../transfer/events.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import { emitConverted, reportingSink, safetensorsPlanEvent } from "../convert-events.js";
import { fileOutput } from "../file-sink.js";
import { planFromGguf } from "./plan-from-gguf.js";
import type { SafetensorsDtype } from "./safetensors-plan.js";
import { writeSafetensors } from "./write-safetensors.js";

/**
 * GGUF -> safetensors, from a local file or a hub repo's GGUF to a folder: model.safetensors,
 * config.json and (where the vocabulary allows) the tokenizer, written into a temporary folder beside the output and renamed into place when
 * complete, so an interrupted conversion leaves no half folder.
 */
export interface ConvertToSafetensorsOptions {
  dtype: SafetensorsDtype;
  output: string;
  label: string;
  dryRun: boolean;
  events: EventSink;
  signal?: AbortSignal;
}

async function prepareOutput(dir: string): Promise<string> {
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0)
    throw new HubferryError(
      "BAD_INPUT",
      `${dir} exists and is not empty`,
      "give a new folder for the safetensors output",
    );
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.${randomBytes(6).toString("hex")}.partial`;
  await mkdir(tmp);
  return tmp;
}

export async function convertToSafetensors(
  source: CheckpointSource,
  path: string,
  opts: ConvertToSafetensorsOptions,
): Promise<void> {
  const started = Date.now();
  const { header, plan, tokenizer } = await planFromGguf(source, path, opts.dtype);
  opts.events(
    safetensorsPlanEvent(plan, header.metadata.size, {
      source: opts.label,
      output: opts.output,
      dryRun: opts.dryRun,
      warnings: tokenizer.warning ? [tokenizer.warning] : [],
    }),
  );
  if (opts.dryRun) return;
  const tmp = await prepareOutput(opts.output);
  try {
    const file = join(tmp, "model.safetensors");
    const out = await fileOutput(file);
    const shown = join(opts.output, "model.safetensors");
    const { sink, progress, sha256 } = reportingSink(opts.events, out, shown, plan.fileSize, opts.signal);
    const written = await writeSafetensors(plan, source, path, sink, progress).catch(async (err) => {
      await out.abort();
      throw err;
    });
    await out.commit();
    await writeFile(join(tmp, "config.json"), `${JSON.stringify(plan.config, null, 2)}\n`);
    for (const [name, text] of Object.entries(tokenizer.files)) await writeFile(join(tmp, name), text);
    await rmdir(opts.output).catch(() => {});
    await rename(tmp, opts.output);
    emitConverted(opts.events, {
      path: shown,
      output: opts.output,
      bytes: written,
      sha256: sha256(),
      files: 2 + Object.keys(tokenizer.files).length,
      started,
    });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
