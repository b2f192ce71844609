/**
 * The xorb byte format (hub-docs `docs/xet/xorb.md`): each chunk is an 8-byte header followed by
 * its data. This hub stores chunks uncompressed (compression type 0, `None`), which the spec
 * allows ("a Xorb MAY contain chunks that utilize different compression schemes") and both
 * hf_xet and @huggingface/hub decode: it lets xorb bytes be cut straight from the stored blob.
 */

export const CHUNK_HEADER_SIZE = 8;
const VERSION = 0;
const COMPRESSION_NONE = 0;
/** Sizes are 3-byte little-endian fields; a chunk is at most 128 KiB, so they always fit. */
const MAX_3_BYTES = 0xffffff;

/** The header of an uncompressed chunk of `length` bytes. */
export function chunkHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_3_BYTES) {
    throw new RangeError(`chunk length ${length} does not fit a xorb chunk header`);
  }
  const h = new Uint8Array(CHUNK_HEADER_SIZE);
  h[0] = VERSION;
  writeU24(h, 1, length);
  h[4] = COMPRESSION_NONE;
  writeU24(h, 5, length);
  return h;
}

/** Size of a chunk as serialized in a xorb. */
export function serializedChunkSize(length: number): number {
  return CHUNK_HEADER_SIZE + length;
}

function writeU24(into: Uint8Array, at: number, v: number): void {
  into[at] = v & 0xff;
  into[at + 1] = (v >>> 8) & 0xff;
  into[at + 2] = (v >>> 16) & 0xff;
}

/** Parses one chunk header (for tests and for checking what the clients will see). */
export function parseChunkHeader(h: Uint8Array): {
  version: number;
  compressedSize: number;
  compression: number;
  uncompressedSize: number;
} {
  if (h.byteLength < CHUNK_HEADER_SIZE) throw new RangeError("truncated chunk header");
  const u24 = (at: number) => h[at]! | (h[at + 1]! << 8) | (h[at + 2]! << 16);
  return { version: h[0]!, compressedSize: u24(1), compression: h[4]!, uncompressedSize: u24(5) };
}
