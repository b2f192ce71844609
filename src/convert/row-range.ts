/**
 * Bytes `start..end` (inclusive) of a converted file made on demand: a header, then tensors laid
 * out one after another, each a run of equal rows that encode independently (plus zero padding).
 * Only the tensors the range touches are made, and only the rows it needs, so reading a file in
 * parts costs about what reading it whole does. Both directions of the converter lay their output
 * out this way (GGUF, safetensors).
 */
export interface RowSegment {
  /** File offset of the tensor's first byte. */
  at: number;
  byteSize: number;
  /** Zeros after the tensor (GGUF alignment). */
  padding: number;
  rows: number;
  /** Made whole whatever is asked (rows permuted across the tensor, generated values). */
  whole: boolean;
  /** Encoded rows `firstRow` up to `endRow`, in order, in chunks of whole rows. */
  chunks(firstRow: number, endRow: number): AsyncIterable<Uint8Array>;
}

export async function* rowRange(
  header: Uint8Array,
  segments: Iterable<RowSegment>,
  fileSize: number,
  start: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (start < 0 || end >= fileSize || start > end)
    throw new RangeError(`bytes ${start}-${end} are outside the ${fileSize}-byte file`);
  if (start < header.length) yield header.subarray(start, Math.min(end + 1, header.length));
  for (const s of segments) {
    if (s.at + s.byteSize + s.padding <= start) continue;
    if (s.at > end) return;
    yield* segmentRange(s, start, end, signal);
    if (s.padding) yield* clip(new Uint8Array(s.padding), s.at + s.byteSize, start, end);
  }
}

async function* segmentRange(
  s: RowSegment,
  start: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (s.at + s.byteSize <= start) return;
  const rowBytes = s.byteSize / s.rows;
  const firstRow = s.whole ? 0 : Math.floor(Math.max(0, start - s.at) / rowBytes);
  const endRow = s.whole ? s.rows : Math.min(s.rows, Math.ceil((end + 1 - s.at) / rowBytes));
  let position = s.at + firstRow * rowBytes;
  for await (const chunk of s.chunks(firstRow, endRow)) {
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
