import type { CheckpointSource } from "./checkpoint/source.js";
import type { GgufLayout } from "./gguf/write-header.js";
import type { GgufPlan, PlannedTensor } from "./gguf-plan.js";
import { encodedChunks } from "./write-gguf.js";

/**
 * Bytes `start..end` (inclusive) of the GGUF a plan describes, made on demand without the rest
 * of the file. This is what lets a converted file be a transfer source like any stored file: an
 * upload reads it part by part, and a broken read resumes from its byte. Only the tensors the
 * range touches are converted, from the first row it needs (rows quantize independently), so
 * reading a file in parts costs about what reading it whole does.
 */
export async function* ggufRange(
  plan: GgufPlan,
  layout: GgufLayout,
  source: CheckpointSource,
  start: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (start < 0 || end >= layout.fileSize || start > end)
    throw new RangeError(`bytes ${start}-${end} are outside the ${layout.fileSize}-byte GGUF`);
  const header = layout.header;
  if (start < header.length) yield header.subarray(start, Math.min(end + 1, header.length));
  for (const [i, tensor] of plan.tensors.entries()) {
    const place = layout.tensors[i] as { offset: number; byteSize: number; padding: number };
    const from = header.length + place.offset;
    const to = from + place.byteSize + place.padding;
    if (to <= start) continue;
    if (from > end) return;
    yield* tensorRange(source, tensor, from, place.byteSize, start, end, signal);
    if (place.padding) yield* clip(new Uint8Array(place.padding), from + place.byteSize, start, end);
  }
}

/** The part of one tensor's bytes (it starts at file offset `at`) that lies in `start..end`. */
async function* tensorRange(
  source: CheckpointSource,
  tensor: PlannedTensor,
  at: number,
  byteSize: number,
  start: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (at + byteSize <= start) return;
  const rows = tensor.dims.reduce((a, b) => a * b, 1) / (tensor.dims[0] as number);
  const rowBytes = byteSize / rows;
  // Tensors made whole (Q/K permutation, generated values) start at row 0 whatever is asked.
  const whole = "values" in tensor.from || tensor.permuteHeads !== undefined;
  const firstRow = whole ? 0 : Math.floor(Math.max(0, start - at) / rowBytes);
  const endRow = whole ? rows : Math.min(rows, Math.ceil((end + 1 - at) / rowBytes));
  let position = at + firstRow * rowBytes;
  for await (const chunk of encodedChunks(source, tensor, firstRow, endRow)) {
    signal?.throwIfAborted();
    yield* clip(chunk, position, start, end);
    position += chunk.length;
    if (position > end) return;
  }
}

/** `chunk` (at file offset `at`) cut to `start..end`; nothing when they do not meet. */
function* clip(chunk: Uint8Array, at: number, start: number, end: number): Generator<Uint8Array> {
  const from = Math.max(start - at, 0);
  const to = Math.min(end + 1 - at, chunk.length);
  if (to > from) yield from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
}
