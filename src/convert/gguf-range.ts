import type { CheckpointSource } from "./checkpoint/source.js";
import type { GgufLayout } from "./gguf/write-header.js";
import type { GgufPlan } from "./gguf-plan.js";
import { type RowSegment, rowRange } from "./row-range.js";
import { encodedChunks } from "./write-gguf.js";

/**
 * Bytes `start..end` (inclusive) of the GGUF a plan describes, made on demand without the rest
 * of the file. This is what lets a converted file be a transfer source like any stored file: an
 * upload reads it part by part, and a broken read resumes from its byte.
 */
export function ggufRange(
  plan: GgufPlan,
  layout: GgufLayout,
  source: CheckpointSource,
  start: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const dataStart = layout.header.length;
  const segments = plan.tensors.map((tensor, i): RowSegment => {
    const place = layout.tensors[i] as { offset: number; byteSize: number; padding: number };
    return {
      at: dataStart + place.offset,
      byteSize: place.byteSize,
      padding: place.padding,
      rows: tensor.dims.reduce((a, b) => a * b, 1) / (tensor.dims[0] as number),
      // Q/K rows are permuted across the tensor, and generated values come whole.
      whole: "values" in tensor.from || tensor.permuteHeads !== undefined,
      chunks: (firstRow, endRow) => encodedChunks(source, tensor, firstRow, endRow),
    };
  });
  return rowRange(layout.header, segments, layout.fileSize, start, end, signal);
}
