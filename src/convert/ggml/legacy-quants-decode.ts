import { f16BitsToF32 } from "./half.js";

/**
 * Dequantizers for ggml's 32-value blocks, bit for bit as gguf-py's `dequantize` (float32
 * products, then the float32 sum with the block minimum for the affine types).
 */
const QK = 32;
const fr = Math.fround;

function half(bytes: Uint8Array, at: number): number {
  return f16BitsToF32((bytes[at] as number) | ((bytes[at + 1] as number) << 8));
}

function blockCount(bytes: Uint8Array, typeSize: number): number {
  if (bytes.length % typeSize !== 0)
    throw new RangeError(`${bytes.length} bytes are not whole blocks of ${typeSize}`);
  return bytes.length / typeSize;
}

/** The 4-bit code j (0..31) of a block whose nibbles start at `at`. */
function nibble(bytes: Uint8Array, at: number, j: number): number {
  const byte = bytes[at + (j & 15)] as number;
  return j < 16 ? byte & 0x0f : byte >> 4;
}

/** The fifth bit of code j from the block's little-endian u32 at `at`. */
function highBit(bytes: Uint8Array, at: number, j: number): number {
  return (((bytes[at + (j >> 3)] as number) >> (j & 7)) & 1) << 4;
}

export function decodeQ4_0(bytes: Uint8Array): Float32Array {
  const blocks = blockCount(bytes, 18);
  const out = new Float32Array(blocks * QK);
  for (let b = 0; b < blocks; b++) {
    const d = half(bytes, b * 18);
    for (let j = 0; j < QK; j++) out[b * QK + j] = fr(d * (nibble(bytes, b * 18 + 2, j) - 8));
  }
  return out;
}

export function decodeQ4_1(bytes: Uint8Array): Float32Array {
  const blocks = blockCount(bytes, 20);
  const out = new Float32Array(blocks * QK);
  for (let b = 0; b < blocks; b++) {
    const d = half(bytes, b * 20);
    const m = half(bytes, b * 20 + 2);
    for (let j = 0; j < QK; j++) out[b * QK + j] = fr(fr(d * nibble(bytes, b * 20 + 4, j)) + m);
  }
  return out;
}

export function decodeQ5_0(bytes: Uint8Array): Float32Array {
  const blocks = blockCount(bytes, 22);
  const out = new Float32Array(blocks * QK);
  for (let b = 0; b < blocks; b++) {
    const at = b * 22;
    const d = half(bytes, at);
    for (let j = 0; j < QK; j++)
      out[b * QK + j] = fr(d * ((nibble(bytes, at + 6, j) | highBit(bytes, at + 2, j)) - 16));
  }
  return out;
}

export function decodeQ5_1(bytes: Uint8Array): Float32Array {
  const blocks = blockCount(bytes, 24);
  const out = new Float32Array(blocks * QK);
  for (let b = 0; b < blocks; b++) {
    const at = b * 24;
    const d = half(bytes, at);
    const m = half(bytes, at + 2);
    for (let j = 0; j < QK; j++)
      out[b * QK + j] = fr(fr(d * (nibble(bytes, at + 8, j) | highBit(bytes, at + 4, j))) + m);
  }
  return out;
}

export function decodeQ8_0(bytes: Uint8Array): Float32Array {
  const blocks = blockCount(bytes, 34);
  const out = new Float32Array(blocks * QK);
  for (let b = 0; b < blocks; b++) {
    const d = half(bytes, b * 34);
    for (let j = 0; j < QK; j++) out[b * QK + j] = fr((((bytes[b * 34 + 2 + j] as number) << 24) >> 24) * d);
  }
  return out;
}
