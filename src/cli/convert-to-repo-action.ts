// `convert SOURCE --repo DEST`: the conversion uploaded to a hub repo instead of written to disk.
import { basename, resolve } from "node:path";
import { singleFileSource } from "../convert/checkpoint/single-file-source.js";
import type { SafetensorsDtype } from "../convert/to-safetensors/safetensors-plan.js";
import type { OutputType } from "../convert/type-policy.js";
import { HubferryError } from "../core/errors.js";
import { parseRepoRef, type RepoRef } from "../core/repo-ref.js";
import { convertFolderToRepo } from "../migrate/convert-to-repo.js";
import type { ConvertSpec } from "../migrate/converted-source.js";
import { migrate } from "../migrate/migrate.js";
import type { EventSink } from "../transfer/events.js";
import type { ConvertFlags } from "./convert-command.js";
import { openFolder, REPO } from "./convert-sources.js";
import { transferSettings } from "./transfer-settings.js";

function destinationRef(arg: string, to: string): RepoRef {
  const ref = parseRepoRef(arg);
  if (ref.type !== "model")
    throw new HubferryError(
      "BAD_INPUT",
      `--repo ${arg} is a ${ref.type}: ${to === "gguf" ? "a GGUF goes" : "safetensors weights go"} to a model repo`,
      "name a model repo, e.g. --repo hf:owner/name",
    );
  return ref;
}

function specOf(flags: ConvertFlags): ConvertSpec {
  return flags.to === "gguf"
    ? { to: "gguf", type: flags.type as OutputType, name: flags.name, pre: flags.pre }
    : {
        to: "safetensors",
        dtype: flags.dtype.toUpperCase() as SafetensorsDtype,
        quantization: flags.quantization,
      };
}

const NOTE = "converts in this process: the output is made as it is uploaded, never written to disk";

/**
 * A hub repo source is a migration whose source is seen through its conversion (each source byte
 * read by range, planned against what the destination has, verified); a local folder or GGUF file
 * goes through the same engine from here.
 */
export async function convertToRepoAction(
  arg: string,
  flags: ConvertFlags,
  events: EventSink,
  signal: AbortSignal,
): Promise<void> {
  const destination = destinationRef(flags.repo as string, flags.to);
  const spec = specOf(flags);
  const settings = transferSettings(flags);
  if (REPO.test(arg)) {
    await migrate({
      source: parseRepoRef(arg, { defaultHub: "hf", type: "model" }),
      destination,
      revision: flags.revision,
      dryRun: flags.dryRun,
      runnerNote: NOTE,
      settings,
      events,
      signal,
      convert: spec,
    });
    return;
  }
  let local: { source: Awaited<ReturnType<typeof openFolder>>["source"]; label: string };
  if (spec.to === "gguf") local = await openFolder(arg, flags);
  else {
    const single = await singleFileSource(arg);
    spec.file = single.file;
    local = { source: single.source, label: resolve(arg) };
  }
  await convertFolderToRepo({
    checkpoint: local.source,
    // The card is public: it names the folder or file, never where it sits on this machine.
    sourceLabel: basename(local.label),
    destination,
    spec,
    settings,
    public: flags.public,
    dryRun: flags.dryRun,
    events,
    signal,
  });
}
