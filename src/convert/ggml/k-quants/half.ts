/**
 * IEEE half <-> float32, private to the K-quant codecs (to be merged with fp16.ts later).
 *
 * The encoder side must round exactly as ggml-base does without F16C: ggml_compute_fp32_to_fp16,
 * the float-arithmetic trick from Maratyszcza/FP16 (round to nearest even, NaN -> 0x7E00). It is
 * reproduced step by step on float32 values, so every rounding happens where C's does.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(value: number): number {
  f32[0] = value;
  return u32[0]!;
}

function fromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

const SCALE_TO_INF = 2 ** 112;
const SCALE_TO_ZERO = 2 ** -110;

/** The half bits ggml stores for a float32 value (the argument must already be a float32 value). */
export function fp32ToFp16Bits(f: number): number {
  // (|f| * 2^112) * 2^-110, each product rounded to float32: pre-rounds subnormal-range values.
  let base = Math.fround(Math.fround(Math.abs(f) * SCALE_TO_INF) * SCALE_TO_ZERO);
  const w = bitsOf(f);
  const shl1w = (w << 1) >>> 0;
  const sign = w & 0x80000000;
  let bias = (shl1w & 0xff000000) >>> 0;
  if (bias < 0x71000000) bias = 0x71000000;
  // Adding a power of two aligned to the half's ulp makes the float32 adder do the rounding.
  base = Math.fround(fromBits((bias >>> 1) + 0x07800000) + base);
  const bits = bitsOf(base);
  const expBits = (bits >>> 13) & 0x7c00;
  const mantissaBits = bits & 0x0fff;
  const nonsign = expBits + mantissaBits;
  return ((sign >>> 16) | (shl1w > 0xff000000 ? 0x7e00 : nonsign)) & 0xffff;
}

/** Every half's float32 value, exact (as numpy's astype(float32) and ggml's fp16_to_fp32 give). */
const HALF_TABLE = buildHalfTable();

function buildHalfTable(): Float32Array {
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      bits[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf, or NaN with its payload kept
    } else if (exp === 0) {
      table[h] = (sign ? -1 : 1) * mant * 2 ** -24; // zero or subnormal: exact in float32
    } else {
      bits[h] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    }
  }
  return table;
}

/** The float32 value of half bits. */
export function fp16BitsToFp32(h: number): number {
  return HALF_TABLE[h & 0xffff]!;
}

/** Reads the little-endian half at `offset` as float32. */
export function readHalf(bytes: Uint8Array, offset: number): number {
  return HALF_TABLE[bytes[offset]! | (bytes[offset + 1]! << 8)]!;
}

/** Writes half bits little-endian at `offset`. */
export function writeHalf(bytes: Uint8Array, offset: number, h: number): void {
  bytes[offset] = h & 0xff;
  bytes[offset + 1] = h >>> 8;
}
