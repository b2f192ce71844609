/**
 * The ggml tensor types the converter writes or reads, with their block shapes (ggml.c
 * `type_traits`: values per block and bytes per block). Ids are ggml.h `enum ggml_type`.
 */
export const GGML_TYPES = {
  F32: { id: 0, blockSize: 1, typeSize: 4 },
  F16: { id: 1, blockSize: 1, typeSize: 2 },
  Q4_0: { id: 2, blockSize: 32, typeSize: 18 },
  Q4_1: { id: 3, blockSize: 32, typeSize: 20 },
  Q5_0: { id: 6, blockSize: 32, typeSize: 22 },
  Q5_1: { id: 7, blockSize: 32, typeSize: 24 },
  Q8_0: { id: 8, blockSize: 32, typeSize: 34 },
  Q2_K: { id: 10, blockSize: 256, typeSize: 84 },
  Q3_K: { id: 11, blockSize: 256, typeSize: 110 },
  Q4_K: { id: 12, blockSize: 256, typeSize: 144 },
  Q5_K: { id: 13, blockSize: 256, typeSize: 176 },
  Q6_K: { id: 14, blockSize: 256, typeSize: 210 },
  BF16: { id: 30, blockSize: 1, typeSize: 2 },
} as const;

export type GgmlType = keyof typeof GGML_TYPES;

/** Bytes that `count` values take in `type` (count must be a whole number of blocks). */
export function ggmlByteSize(type: GgmlType, count: number): number {
  const { blockSize, typeSize } = GGML_TYPES[type];
  if (count % blockSize !== 0)
    throw new RangeError(`${count} values are not a whole number of ${type} blocks (${blockSize} each)`);
  return (count / blockSize) * typeSize;
}

/** The ggml type named by an id, or undefined for a type the converter does not handle. */
export function ggmlTypeOfId(id: number): GgmlType | undefined {
  for (const [name, facts] of Object.entries(GGML_TYPES)) if (facts.id === id) return name as GgmlType;
  return undefined;
}

/**
 * Encoders take float32 values (a whole number of blocks, row-major, rows concatenated) and give
 * the type's bytes; decoders the reverse. Both are pure: no I/O, no state, so a caller can feed
 * them a tensor a row range at a time.
 */
export type Encoder = (values: Float32Array) => Uint8Array;
export type Decoder = (bytes: Uint8Array) => Float32Array;
