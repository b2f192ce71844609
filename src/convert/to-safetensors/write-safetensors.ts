import { unpermuteRows } from "../arch/permute.js";
import type { CheckpointSource } from "../checkpoint/source.js";
import { decoderFor, encoderFor } from "../ggml/codecs.js";
import { GGML_TYPES } from "../ggml/types.js";
import type { GgufSink, WriteProgress } from "../write-gguf.js";
import type { SafetensorsPlan, SafetensorsTensor } from "./safetensors-plan.js";

/**
 * Streams the safetensors file of a plan: the header, then each tensor read from the GGUF a run of
 * whole rows at a time, dequantized, and encoded to the output dtype (Q/K tensors whole, to
 * permute their rows back).
 */
const CHUNK_VALUES = 8 * 1024 * 1024;

/** A tensor's output bytes, rows `firstRow` up to `endRow` (Q/K tensors whole whatever is asked). */
export async function* tensorChunks(
  source: CheckpointSource,
  path: string,
  t: SafetensorsTensor,
  plan: SafetensorsPlan,
  firstRow = 0,
  endRow = Number.POSITIVE_INFINITY,
): AsyncGenerator<Uint8Array> {
  const { from } = t;
  const decode = decoderFor(from.type);
  const encode = encoderFor(plan.dtype);
  const rowLength = from.dims[0] as number;
  const rows = from.dims.reduce((a, b) => a * b, 1) / rowLength;
  const { blockSize, typeSize } = GGML_TYPES[from.type];
  const rowBytes = (rowLength / blockSize) * typeSize;
  if (t.unpermuteHeads) {
    const values = decode(await source.readRange(path, from.offset, rows * rowBytes));
    yield encode(unpermuteRows(values, rows, t.unpermuteHeads));
    return;
  }
  const step = Math.max(1, Math.floor(CHUNK_VALUES / rowLength));
  const last = Math.min(rows, endRow);
  for (let row = firstRow; row < last; row += step) {
    const n = Math.min(step, last - row);
    const values = decode(await source.readRange(path, from.offset + row * rowBytes, n * rowBytes));
    if (t.subtractOne) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) - 1;
    yield encode(values);
  }
}

export async function writeSafetensors(
  plan: SafetensorsPlan,
  source: CheckpointSource,
  path: string,
  sink: GgufSink,
  progress: WriteProgress = {},
): Promise<number> {
  await sink.write(plan.header);
  let written = plan.header.length;
  for (const t of plan.tensors) {
    for await (const chunk of tensorChunks(source, path, t, plan)) {
      progress.signal?.throwIfAborted();
      await sink.write(chunk);
      written += chunk.length;
      progress.onBytes?.(written, plan.fileSize, t.name);
    }
  }
  return written;
}
