/**
 * IEEE half and bfloat16 conversions, bit for bit as the references do them: numpy's
 * `astype(np.float16)` (what convert_hf_to_gguf.py writes for F16, and what every quantizer uses to
 * store its scales) rounds to nearest, ties to even, and keeps a NaN's top payload bits;
 * gguf-py's BF16 (= ggml_compute_fp32_to_bf16) quiets NaNs and rounds to nearest even.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 bit pattern of a number (rounded to float32 first). */
export function f32Bits(value: number): number {
  f32[0] = value;
  return u32[0] as number;
}

/** The half-precision bits of a float32 value. */
export function f32ToF16Bits(value: number): number {
  return f16BitsOfF32Bits(f32Bits(value));
}

/** The half-precision bits of float32 bits (bits in, so a NaN's payload is never lost). */
export function f16BitsOfF32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    if (mantissa === 0) return sign | 0x7c00;
    // A NaN keeps its top ten payload bits, and stays a NaN if those are all zero.
    return sign | 0x7c00 | (mantissa >>> 13 || 1);
  }
  if (exponent < 113) {
    // Below the smallest normal half: the result is a multiple of 2^-24, rounded half to even.
    // The value in units of 2^-24 is exact in a double, so one rounding happens, as in the references.
    const units = exponent === 0 ? mantissa * 2 ** -125 : (0x800000 | mantissa) * 2 ** (exponent - 126);
    return sign | roundHalfEven(units);
  }
  // Normal: drop 13 mantissa bits with round-half-even; a carry into the exponent is correct,
  // and past the largest half it lands on infinity (0x7c00).
  const rebased = ((exponent - 112) << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  const roundUp = rest > 0x1000 || (rest === 0x1000 && (rebased & 1) === 1);
  return sign | Math.min(rebased + (roundUp ? 1 : 0), 0x7c00);
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Every half bit pattern's float32 bits, built once (256 KiB) because decoding is hot. Kept as
 * bits, so a NaN's payload survives into an output buffer (a JS number may not keep it).
 */
let halfTable: Uint32Array | undefined;

function buildHalfTable(): Uint32Array {
  const table = new Uint32Array(65536);
  const values = new Float32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 31) table[h] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
    else {
      const magnitude = exponent === 0 ? mantissa * 2 ** -24 : (1024 + mantissa) * 2 ** (exponent - 25);
      values[h] = sign ? -magnitude : magnitude;
    }
  }
  return table;
}

/** Float32 bit patterns indexed by half bits. */
export function halfBitsTable(): Uint32Array {
  halfTable ??= buildHalfTable();
  return halfTable;
}

/** The float32 value of half bits (exact: every half is a float32). */
export function f16BitsToF32(bits: number): number {
  u32[0] = halfBitsTable()[bits & 0xffff] as number;
  return f32[0] as number;
}

/** The bfloat16 bits of a float32 value: NaNs quieted, then rounded to nearest even. */
export function f32ToBf16Bits(value: number): number {
  return bf16BitsOfF32Bits(f32Bits(value));
}

/** The bfloat16 bits of float32 bits. */
export function bf16BitsOfF32Bits(f32bits: number): number {
  let bits = f32bits >>> 0;
  if ((bits & 0x7fffffff) >>> 0 > 0x7f800000) bits = ((bits & 0xffff0000) | 0x400000) >>> 0;
  return Math.floor((bits + 0x7fff + ((bits >>> 16) & 1)) / 65536) & 0xffff;
}

/** The float32 value of bfloat16 bits. */
export function bf16BitsToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0] as number;
}
