import { type FewerStreams, parallelRanges } from "./parallel-ranges.js";
import { type RangeSettings, readsInParallel } from "./range-settings.js";
import { type ReadOptions, resumableRead } from "./resumable-read.js";
import type { TransferSource } from "./types.js";

/**
 * Bytes `start..end` of a source file, in order, as one stream: a large file from a source that
 * gains by it is read in several ranges at once (`parallelRanges`), anything else in one
 * resumable stream. Either way each range resumes from its last byte when its body breaks.
 * `onFewerStreams` is told when the source refused an extra range.
 */
export function orderedRead(
  source: TransferSource,
  path: string,
  start: number,
  end: number,
  opts: ReadOptions & {
    ranges: RangeSettings;
    onFewerStreams?: (e: FewerStreams) => void;
  },
): AsyncIterable<Uint8Array> {
  const { ranges, onFewerStreams, ...read } = opts;
  if (!source.parallelRanges || !readsInParallel(end - start + 1, ranges))
    return resumableRead(source, path, start, end, read);
  return parallelRanges(
    (s, e, o) => resumableRead(source, path, s, e, { ...read, signal: o.signal, refuseFast: o.refuseFast }),
    { start, end, partSize: ranges.partSize, streams: ranges.streams, signal: opts.signal, onFewerStreams },
  );
}
