import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { HubferryError } from "../../core/errors.js";
import { folderSource } from "./folder-source.js";
import type { CheckpointSource } from "./source.js";

/** One local file (a GGUF) as a source whose only file is that file's name. */
export async function singleFileSource(path: string): Promise<{ source: CheckpointSource; file: string }> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    throw new HubferryError(
      "BAD_INPUT",
      `${path} is not a file`,
      "give a .gguf file, or a repo as hf:owner/name with --quantization",
    );
  return { source: await folderSource(dirname(path)), file: basename(path) };
}
