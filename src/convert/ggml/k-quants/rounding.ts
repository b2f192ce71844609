/**
 * ggml's nearest_int: add 1.5 * 2^23 in float32 so the adder rounds to an integer (ties to even),
 * then read the integer back out of the mantissa bits. For |x| <= 4194303 that is round-half-even;
 * outside that range (and for NaN) the bit pattern gives ggml's garbage, reproduced here too since
 * ggml's assert is compiled out in release builds.
 */
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

const MAGIC = 12582912; // 1.5 * 2^23

/** nearest_int of a float32 value. */
export function nearestInt(fval: number): number {
  const val = Math.fround(fval + MAGIC);
  // In [2^23, 2^24) the float32 ulp is 1, so the mantissa bits equal val - 2^23: no memory trip.
  // `| 0` tells the JIT the result is a small integer (it is exact already).
  if (val >= 8388608 && val < 16777216) return (val - MAGIC) | 0;
  f32[0] = val;
  return ((i32[0]! & 0x007fffff) - 0x00400000) | 0;
}

/** C's MAX(lo, MIN(hi, v)). */
export function clamp(v: number, lo: number, hi: number): number {
  // Integer compares: Math.max / Math.min would go through their float64 NaN and -0 handling.
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

/** ggml's GROUP_MAX_EPS (1e-15f): groups whose largest magnitude is below it count as all zero. */
export const GROUP_MAX_EPS = Math.fround(1e-15);

/** The float32 constant 0.1f (C's 0.1f is not the double 0.1). */
export const TENTH = Math.fround(0.1);
