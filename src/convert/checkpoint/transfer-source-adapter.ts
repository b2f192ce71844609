import { basename } from "node:path";
import { HubferryError } from "../../core/errors.js";
import type { SourceFile, TransferSource } from "../../transfer/types.js";
import type { CheckpointSource } from "./source.js";

/**
 * A hub repo (a transfer source pinned to one commit) as a checkpoint: JSON files read whole,
 * tensor data by range. A range whose stream breaks is asked again from the byte it reached, a few
 * times, so a reset mid-tensor costs only the bytes after it.
 */
const ATTEMPTS = 5;

async function readRangeOnce(
  source: TransferSource,
  path: string,
  start: number,
  out: Uint8Array,
  filled: number,
): Promise<number> {
  const stream = await source.read(path, start + filled, start + out.length - 1);
  for await (const chunk of stream) {
    const room = out.length - filled;
    out.set(chunk.length > room ? chunk.subarray(0, room) : chunk, filled);
    filled += Math.min(chunk.length, room);
  }
  return filled;
}

/** `listing`: the source's files when the caller has listed them already (one listing, not two). */
export async function transferCheckpointSource(
  source: TransferSource,
  name: string,
  listing?: SourceFile[],
): Promise<CheckpointSource> {
  const files = listing ?? (await source.list());
  const sizes = new Map(files.map((f) => [f.path, f.size]));
  const sizeOf = (path: string) => {
    const size = sizes.get(path);
    if (size === undefined) throw new HubferryError("FILE_NOT_FOUND", `${source.label} has no ${path}`);
    return size;
  };
  const readRange = async (path: string, offset: number, length: number) => {
    const out = new Uint8Array(length);
    let filled = 0;
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS && filled < length; attempt++) {
      try {
        filled = await readRangeOnce(source, path, offset, out, filled);
      } catch (err) {
        if (err instanceof HubferryError && err.code !== "NETWORK" && err.code !== "SERVER") throw err;
        lastError = err;
      }
    }
    if (filled < length)
      throw (
        lastError ??
        new HubferryError(
          "PROTOCOL",
          `${source.label}: ${path} ended at byte ${offset + filled}, before ${offset + length}`,
          "try again",
        )
      );
    return out;
  };
  return {
    name: basename(name),
    async list() {
      return files.map((f) => f.path).sort();
    },
    async readText(path) {
      if (!sizes.has(path)) return undefined;
      return new TextDecoder().decode(await readRange(path, 0, sizeOf(path)));
    },
    readRange,
    async size(path) {
      return sizeOf(path);
    },
  };
}
