// What `convert` does; loaded only when it runs (the definition, for --help, is convert-command.ts).
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { folderSource } from "../convert/checkpoint/folder-source.js";
import type { CheckpointSource } from "../convert/checkpoint/source.js";
import { transferCheckpointSource } from "../convert/checkpoint/transfer-source-adapter.js";
import { convertToGguf } from "../convert/convert-to-gguf.js";
import type { OutputType } from "../convert/type-policy.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, parseRepoRef } from "../core/repo-ref.js";
import type { ConvertFlags } from "./convert-command.js";
import { toolboxHub } from "./toolbox-common.js";
import { withEvents } from "./with-events.js";

const REPO = /^(hf|ms):|^https?:\/\//;

async function openSource(
  arg: string,
  revision: string | undefined,
): Promise<{ source: CheckpointSource; label: string }> {
  if (!REPO.test(arg)) {
    const isDir = (await stat(arg).catch(() => undefined))?.isDirectory();
    if (!isDir)
      throw new HubferryError(
        "BAD_INPUT",
        `${arg} is not a folder`,
        "give a checkpoint folder, or a repo as hf:owner/name or ms:owner/name",
      );
    if (revision)
      throw new HubferryError(
        "BAD_INPUT",
        "--revision is for a repo source, not a folder",
        "drop --revision",
      );
    return { source: await folderSource(arg), label: resolve(arg) };
  }
  const ref = parseRepoRef(arg, { defaultHub: "hf", type: "model" });
  const hub = toolboxHub(ref.hub);
  const repo = await hub.source(ref, revision ?? ref.revision);
  return {
    source: await transferCheckpointSource(repo, ref.id),
    label: `${formatRef(ref)}@${repo.revision}`,
  };
}

export async function convertAction(arg: string, flags: ConvertFlags): Promise<void> {
  await withEvents(
    flags.json,
    "convert cancelled: nothing was written under the output's name",
    async ({ events, signal }) => {
      if (!flags.output && !flags.dryRun)
        throw new HubferryError(
          "BAD_INPUT",
          "convert needs --output FILE",
          "say where the GGUF goes, e.g. --output model-f16.gguf (or use --dry-run)",
        );
      const output = resolve(
        flags.output ?? `${basename(arg.replace(REPO, "")) || "model"}-${flags.type}.gguf`,
      );
      const { source, label } = await openSource(arg, flags.revision);
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
    },
  );
}
