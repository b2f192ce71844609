import type { Encoder } from "../types.js";
import { blockCount } from "./blocks.js";
import { fp32ToFp16Bits, readHalf, writeHalf } from "./half.js";
import { makeQ3Quants } from "./make-q3.js";
import { clamp, nearestInt } from "./rounding.js";

/**
 * Q3_K, bit-exact with ggml's quantize_row_q3_K_ref (no importance matrix). Block of 110 bytes:
 * hmask[32] (bit k of byte l: high bit of value 32k + l), qs[64] (low 2 bits, laid out as Q2_K's),
 * 12 bytes of 6-bit signed group scales (low nibbles in bytes 0-7, top 2 bits in bytes 8-11), d.
 */
const TYPE_SIZE = 110;
const fr = Math.fround;

const L = new Int8Array(256);
const scales = new Float32Array(16);

/** Writes the 12 scale bytes (at o + 96) and d (o + 108); the fit's levels go to L. */
function encodeScales(x: Float32Array, xo: number, out: Uint8Array, o: number): void {
  let maxScale = 0;
  let amax = 0;
  for (let j = 0; j < 16; j++) {
    scales[j] = makeQ3Quants(x, xo + 16 * j, 16, 4, L, 16 * j);
    const abs = Math.abs(scales[j]!);
    if (abs > amax) {
      amax = abs;
      maxScale = scales[j]!;
    }
  }
  if (maxScale === 0) return; // scales and d stay 0 (the output starts zeroed)
  const s = o + 96;
  const iscale = fr(-32 / maxScale);
  for (let j = 0; j < 16; j++) {
    const l = clamp((nearestInt(fr(iscale * scales[j]!)) << 24) >> 24, -32, 31) + 32; // C's int8_t
    if (j < 8) out[s + j] = l & 0xf;
    else out[s + j - 8]! |= (l & 0xf) << 4;
    out[s + 8 + (j % 4)]! |= (l >> 4) << (2 * (j >> 2));
  }
  writeHalf(out, o + 108, fp32ToFp16Bits(fr(1 / iscale)));
}

/** Group j's scale as stored (-32..31). */
function storedScale(out: Uint8Array, s: number, j: number): number {
  const low = j < 8 ? out[s + j]! & 0xf : out[s + j - 8]! >> 4;
  return (low | (((out[s + 8 + (j % 4)]! >> (2 * (j >> 2))) & 3) << 4)) - 32;
}

/** Splits L (0..7) into hmask bits and 2-bit qs. */
function packLevels(out: Uint8Array, o: number): void {
  for (let j = 0; j < 256; j++) {
    if (L[j]! > 3) {
      out[o + (j & 31)]! |= 1 << (j >> 5);
      L[j] = L[j]! - 4;
    }
  }
  for (let j = 0; j < 256; j += 128) {
    const q = o + 32 + j / 4;
    for (let l = 0; l < 32; l++)
      out[q + l] = L[j + l]! | (L[j + l + 32]! << 2) | (L[j + l + 64]! << 4) | (L[j + l + 96]! << 6);
  }
}

function encodeBlock(x: Float32Array, xo: number, out: Uint8Array, o: number): void {
  encodeScales(x, xo, out, o);
  const d0 = readHalf(out, o + 108);
  for (let j = 0; j < 16; j++) {
    const d = fr(d0 * storedScale(out, o + 96, j));
    if (d === 0) continue; // C's `if (!d)`: the fit's levels stay (a NaN d goes on, as in C)
    for (let ii = 0; ii < 16; ii++)
      L[16 * j + ii] = clamp(nearestInt(fr(x[xo + 16 * j + ii]! / d)), -4, 3) + 4;
  }
  packLevels(out, o);
}

export const encodeQ3K: Encoder = (values) => {
  const nb = blockCount(values.length, "Q3_K");
  const out = new Uint8Array(nb * TYPE_SIZE);
  for (let i = 0; i < nb; i++) encodeBlock(values, i * 256, out, i * TYPE_SIZE);
  return out;
};
