import { permuteRows } from "./arch/permute.js";
import type { SourceTensor } from "./checkpoint/read-checkpoint.js";
import type { CheckpointSource } from "./checkpoint/source.js";
import { decoderFor } from "./ggml/codecs.js";
import { encoding } from "./ggml/encode-pool.js";
import { decodeF16, encodeF16 } from "./ggml/float-codecs.js";
import type { GgufLayout } from "./gguf/write-header.js";
import type { GgufPlan, PlannedTensor } from "./gguf-plan.js";

/**
 * Streams a planned GGUF into a sink: the header first (every offset is known from the plan), then
 * each tensor read from the source a run of whole rows at a time, turned into float32, encoded and
 * written, then its padding. Memory stays near one chunk, except for Q/K tensors, whose rows are
 * permuted across the whole tensor (an attention matrix, never an embedding).
 */
export interface GgufSink {
  write(bytes: Uint8Array): Promise<void>;
}

export interface WriteProgress {
  /** Called after each chunk with the output bytes written so far. */
  onBytes?(written: number, total: number, tensor: string): void;
  /** Checked between chunks: an aborted conversion stops there. */
  signal?: AbortSignal;
}

/** About 4 Mi values (16 MiB as float32) per chunk: a few in flight at once, one per encoding thread. */
const CHUNK_VALUES = 4 * 1024 * 1024;

async function readFloats(
  source: CheckpointSource,
  tensor: SourceTensor,
  firstRow: number,
  rows: number,
  rowLength: number,
): Promise<Float32Array> {
  const width = tensor.dtype === "F32" ? 4 : 2;
  const bytes = await source.readRange(
    tensor.file,
    tensor.offset + firstRow * rowLength * width,
    rows * rowLength * width,
  );
  return decoderFor(tensor.dtype)(bytes);
}

/** gemma's norm offset, rounded as upstream's torch rounds it (see PlannedTensor.addOne). */
function addOne(values: Float32Array, precision: "F32" | "F16"): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) + 1;
  return precision === "F16" ? decodeF16(encodeF16(values)) : values;
}

/**
 * A tensor's encoded bytes in chunks of whole rows, rows `firstRow` up to `endRow` (a ranged read
 * starts and ends mid-tensor; rows encode independently). Q/K tensors and generated values come
 * whole whatever is asked. Chunks are encoded on the pool's threads while the next ones are read,
 * and given back in order.
 */
export async function* encodedChunks(
  source: CheckpointSource,
  tensor: PlannedTensor,
  firstRow = 0,
  endRow = Number.POSITIVE_INFINITY,
): AsyncGenerator<Uint8Array> {
  const pool = encoding();
  if ("values" in tensor.from) {
    yield await pool.encode(tensor.type, tensor.from.values.slice());
    return;
  }
  const src = tensor.from.source;
  const rowLength = tensor.dims[0] as number;
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  const rows = count / rowLength;
  if (tensor.permuteHeads) {
    const values = await readFloats(source, src, 0, rows, rowLength);
    yield await pool.encode(tensor.type, permuteRows(values, rows, tensor.permuteHeads));
    return;
  }
  const step = Math.max(1, Math.floor(CHUNK_VALUES / rowLength));
  const last = Math.min(rows, endRow);
  const inFlight: Promise<Uint8Array>[] = [];
  for (let row = firstRow; row < last; row += step) {
    const n = Math.min(step, last - row);
    const values = await readFloats(source, src, row, n, rowLength);
    const encoded = pool.encode(tensor.type, tensor.addOne ? addOne(values, tensor.addOne) : values);
    // Awaited in its turn below; until then a failure must not count as unhandled.
    encoded.catch(() => {});
    inFlight.push(encoded);
    if (inFlight.length > pool.width) yield await (inFlight.shift() as Promise<Uint8Array>);
  }
  while (inFlight.length) yield await (inFlight.shift() as Promise<Uint8Array>);
}

/** `layout` is the plan's, laid out once by the caller (the header holds the whole vocabulary). */
export async function writeGguf(
  plan: GgufPlan,
  layout: GgufLayout,
  source: CheckpointSource,
  sink: GgufSink,
  progress: WriteProgress = {},
): Promise<number> {
  await sink.write(layout.header);
  let written = layout.header.length;
  for (const [i, tensor] of plan.tensors.entries()) {
    const place = layout.tensors[i] as { byteSize: number; padding: number };
    let bytes = 0;
    for await (const chunk of encodedChunks(source, tensor)) {
      progress.signal?.throwIfAborted();
      await sink.write(chunk);
      bytes += chunk.length;
      written += chunk.length;
      progress.onBytes?.(written, layout.fileSize, tensor.name);
    }
    if (bytes !== place.byteSize)
      throw new Error(`${tensor.name}: wrote ${bytes} bytes, planned ${place.byteSize}`);
    if (place.padding) await sink.write(new Uint8Array(place.padding));
    written += place.padding;
  }
  return written;
}
