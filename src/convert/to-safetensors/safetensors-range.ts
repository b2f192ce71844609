import type { CheckpointSource } from "../checkpoint/source.js";
import { type RowSegment, rowRange } from "../row-range.js";
import type { SafetensorsPlan } from "./safetensors-plan.js";
import { tensorChunks } from "./write-safetensors.js";

/**
 * Bytes `start..end` (inclusive) of the safetensors file a plan describes, dequantized from the
 * GGUF at `path` on demand: the same bytes `writeSafetensors` writes, any part of them alone.
 */
export function safetensorsRange(
  plan: SafetensorsPlan,
  source: CheckpointSource,
  path: string,
  start: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let at = plan.header.length;
  const segments = plan.tensors.map((t): RowSegment => {
    const segment: RowSegment = {
      at,
      byteSize: t.byteSize,
      padding: 0,
      rows: t.from.dims.reduce((a, b) => a * b, 1) / (t.from.dims[0] as number),
      whole: t.unpermuteHeads !== undefined,
      chunks: (firstRow, endRow) => tensorChunks(source, path, t, plan, firstRow, endRow),
    };
    at += t.byteSize;
    return segment;
  });
  return rowRange(plan.header, segments, plan.fileSize, start, end, signal);
}
