// Where `convert` reads from: a hub repo pinned to a commit, a checkpoint folder.
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { folderSource } from "../convert/checkpoint/folder-source.js";
import type { CheckpointSource } from "../convert/checkpoint/source.js";
import { transferCheckpointSource } from "../convert/checkpoint/transfer-source-adapter.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, parseRepoRef } from "../core/repo-ref.js";
import type { ConvertFlags } from "./convert-command.js";
import { toolboxHub } from "./toolbox-common.js";

/** A source argument that names a hub repo rather than a local path. */
export const REPO = /^(hf|ms):|^https?:\/\//;

export async function openRepo(
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

/** A checkpoint folder, as `--to gguf` reads it. */
export async function openFolder(
  arg: string,
  flags: ConvertFlags,
): Promise<{ source: CheckpointSource; label: string }> {
  if (!(await stat(arg).catch(() => undefined))?.isDirectory())
    throw new HubferryError(
      "BAD_INPUT",
      `${arg} is not a folder`,
      "give a checkpoint folder, or a repo as hf:owner/name or ms:owner/name",
    );
  if (flags.revision)
    throw new HubferryError("BAD_INPUT", "--revision is for a repo source, not a folder", "drop --revision");
  return { source: await folderSource(arg), label: resolve(arg) };
}
