import type { RangeReader } from "../formats/range-reader.js";
import { readRangeToBuffer } from "../transfer/resumable-read.js";
import type { TransferSource } from "../transfer/types.js";

/** Ranged reads of one source file, with the engine's resume-on-reset. */
export function rangeReaderFor(source: TransferSource, path: string, signal?: AbortSignal): RangeReader {
  return (start, end) =>
    readRangeToBuffer(source, path, start, end, { signal: signal ?? new AbortController().signal });
}
