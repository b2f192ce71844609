// What `convert` does; loaded only when it runs (the definition, for --help, is convert-command.ts).
import { basename, resolve } from "node:path";
import { singleFileSource } from "../convert/checkpoint/single-file-source.js";
import type { CheckpointSource } from "../convert/checkpoint/source.js";
import { convertToGguf } from "../convert/convert-to-gguf.js";
import { pickGguf } from "../convert/to-repo/pick-gguf.js";
import { convertToSafetensors } from "../convert/to-safetensors/convert-to-safetensors.js";
import type { SafetensorsDtype } from "../convert/to-safetensors/safetensors-plan.js";
import type { OutputType } from "../convert/type-policy.js";
import { HubferryError } from "../core/errors.js";
import type { EventSink } from "../transfer/events.js";
import type { ConvertFlags } from "./convert-command.js";
import { openFolder, openRepo, REPO } from "./convert-sources.js";
import { convertToRepoAction } from "./convert-to-repo-action.js";
import { withEvents } from "./with-events.js";

async function toGguf(
  arg: string,
  flags: ConvertFlags,
  output: string,
  events: EventSink,
  signal: AbortSignal,
): Promise<void> {
  const { source, label } = REPO.test(arg)
    ? await openRepo(arg, flags.revision)
    : await openFolder(arg, flags);
  await convertToGguf(source, {
    type: flags.type as OutputType,
    output,
    label,
    name: flags.name,
    pre: flags.pre,
    dryRun: flags.dryRun,
    events,
    signal,
  });
}

async function toSafetensors(
  arg: string,
  flags: ConvertFlags,
  output: string,
  events: EventSink,
  signal: AbortSignal,
): Promise<void> {
  let source: CheckpointSource;
  let file: string;
  let label: string;
  if (REPO.test(arg)) {
    ({ source, label } = await openRepo(arg, flags.revision));
    file = pickGguf(await source.list(), flags.quantization);
    label = `${label}/${file}`;
  } else {
    ({ source, file } = await singleFileSource(arg));
    label = resolve(arg);
  }
  await convertToSafetensors(source, file, {
    dtype: flags.dtype.toUpperCase() as SafetensorsDtype,
    output,
    label,
    dryRun: flags.dryRun,
    events,
    signal,
  });
}

export async function convertAction(arg: string, flags: ConvertFlags): Promise<void> {
  await withEvents(
    flags.json,
    "convert cancelled: nothing was written under the output's name",
    async ({ events, signal }) => {
      if (flags.repo && flags.output)
        throw new HubferryError(
          "BAD_INPUT",
          "--output and --repo both say where the output goes",
          "keep one: --output for a file, --repo for a hub repo",
        );
      if (flags.repo) {
        await convertToRepoAction(arg, flags, events, signal);
        return;
      }
      if (!flags.output && !flags.dryRun)
        throw new HubferryError(
          "BAD_INPUT",
          "convert needs --output",
          flags.to === "gguf"
            ? "say where the GGUF goes, e.g. --output model-q4_k_m.gguf (or use --dry-run)"
            : "say which new folder gets the safetensors, e.g. --output ./model-hf (or use --dry-run)",
        );
      const stem = basename(arg.replace(REPO, "")) || "model";
      if (flags.to === "gguf")
        await toGguf(arg, flags, resolve(flags.output ?? `${stem}-${flags.type}.gguf`), events, signal);
      else await toSafetensors(arg, flags, resolve(flags.output ?? `${stem}-safetensors`), events, signal);
    },
  );
}
