// What `convert` does; loaded only when it runs (the definition, for --help, is convert-command.ts).
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { folderSource } from "../convert/checkpoint/folder-source.js";
import { singleFileSource } from "../convert/checkpoint/single-file-source.js";
import type { CheckpointSource } from "../convert/checkpoint/source.js";
import { transferCheckpointSource } from "../convert/checkpoint/transfer-source-adapter.js";
import { convertToGguf } from "../convert/convert-to-gguf.js";
import { convertToSafetensors } from "../convert/to-safetensors/convert-to-safetensors.js";
import type { SafetensorsDtype } from "../convert/to-safetensors/safetensors-plan.js";
import type { OutputType } from "../convert/type-policy.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, parseRepoRef, type RepoRef } from "../core/repo-ref.js";
import { convertFolderToRepo } from "../migrate/convert-to-repo.js";
import { migrate } from "../migrate/migrate.js";
import type { EventSink } from "../transfer/events.js";
import type { ConvertFlags } from "./convert-command.js";
import { toolboxHub } from "./toolbox-common.js";
import { transferSettings } from "./transfer-settings.js";
import { withEvents } from "./with-events.js";

const REPO = /^(hf|ms):|^https?:\/\//;

async function openRepo(
  arg: string,
  revision: string | undefined,
): Promise<{ source: CheckpointSource; label: string }> {
  const ref = parseRepoRef(arg, { defaultHub: "hf", type: "model" });
  const repo = await toolboxHub(ref.hub).source(ref, revision ?? ref.revision);
  return {
    source: await transferCheckpointSource(repo, ref.id),
    label: `${formatRef(ref)}@${repo.revision}`,
  };
}

async function toGguf(
  arg: string,
  flags: ConvertFlags,
  output: string,
  events: EventSink,
  signal: AbortSignal,
): Promise<void> {
  let opened: { source: CheckpointSource; label: string };
  if (REPO.test(arg) && flags.repo) {
    await repoToRepo(arg, flags, events, signal);
    return;
  }
  if (REPO.test(arg)) opened = await openRepo(arg, flags.revision);
  else {
    if (!(await stat(arg).catch(() => undefined))?.isDirectory())
      throw new HubferryError(
        "BAD_INPUT",
        `${arg} is not a folder`,
        "give a checkpoint folder, or a repo as hf:owner/name or ms:owner/name",
      );
    if (flags.revision)
      throw new HubferryError(
        "BAD_INPUT",
        "--revision is for a repo source, not a folder",
        "drop --revision",
      );
    opened = { source: await folderSource(arg), label: resolve(arg) };
  }
  const { source, label } = opened;
  if (flags.repo) {
    await convertFolderToRepo({
      checkpoint: source,
      sourceLabel: label,
      destination: destinationRef(flags.repo),
      spec: { type: flags.type as OutputType, name: flags.name, pre: flags.pre },
      settings: transferSettings(flags),
      public: flags.public,
      dryRun: flags.dryRun,
      events,
      signal,
    });
    return;
  }
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

function destinationRef(arg: string): RepoRef {
  const ref = parseRepoRef(arg);
  if (ref.type !== "model")
    throw new HubferryError("BAD_INPUT", `--repo ${arg} is a ${ref.type}: a GGUF goes to a model repo`);
  return ref;
}

/**
 * A hub repo into a hub repo: a migration whose source is seen through its conversion, so it
 * reads each source byte by range, plans against what the destination has, and verifies.
 */
async function repoToRepo(arg: string, flags: ConvertFlags, events: EventSink, signal: AbortSignal) {
  const settings = transferSettings(flags);
  await migrate({
    source: parseRepoRef(arg, { defaultHub: "hf", type: "model" }),
    destination: destinationRef(flags.repo as string),
    revision: flags.revision,
    dryRun: flags.dryRun,
    runnerNote: "converts in this process: the GGUF is made as it is uploaded, never written to disk",
    settings,
    events,
    signal,
    convert: { type: flags.type as OutputType, name: flags.name, pre: flags.pre },
  });
}

/** The repo's GGUF file: the only one, or the one whose name holds --quantization. */
async function pickGguf(source: CheckpointSource, quantization: string | undefined): Promise<string> {
  const ggufs = (await source.list()).filter((f) => f.toLowerCase().endsWith(".gguf"));
  const matching = quantization
    ? ggufs.filter((f) => f.toLowerCase().includes(quantization.toLowerCase()))
    : ggufs;
  if (matching.length === 1) return matching[0] as string;
  throw new HubferryError(
    "BAD_INPUT",
    matching.length === 0
      ? `the repo has no GGUF file${quantization ? ` matching ${quantization}` : ""}`
      : `the repo has ${matching.length} GGUF files${quantization ? ` matching ${quantization}` : ""}`,
    ggufs.length
      ? `pick one with --quantization (files: ${ggufs.slice(0, 8).join(", ")})`
      : "convert a repo that holds a .gguf file",
  );
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
    file = await pickGguf(source, flags.quantization);
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
      if (flags.repo && flags.to !== "gguf")
        throw new HubferryError(
          "BAD_INPUT",
          "--repo uploads a GGUF; --to safetensors writes a folder",
          "use --output DIR, then hubferry push DIR to upload it",
        );
      if (!flags.output && !flags.repo && !flags.dryRun)
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
