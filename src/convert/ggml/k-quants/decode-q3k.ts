import type { Decoder } from "../types.js";
import { blockCountOfBytes } from "./blocks.js";
import { readHalf } from "./half.js";

/**
 * Q3_K decoding, bit-identical to gguf 0.19.0's dequantize: block of 110 bytes = hmask[32],
 * qs[64] (low 2 bits), 12 bytes of 6-bit scales (offset 32), d (half). Value = (d * scale) * q with
 * q = low2 - 4 when the hmask bit is clear, low2 when set; both products rounded to float32.
 */
const TYPE_SIZE = 110;
const fr = Math.fround;

/** Group g's scale (-32..31): low nibble from bytes 0-7, top 2 bits from bytes 8-11. */
function scaleQ3K(bytes: Uint8Array, s: number, g: number): number {
  const low = (bytes[s + (g & 7)]! >> (g < 8 ? 0 : 4)) & 0xf;
  const high = (bytes[s + 8 + (g & 3)]! >> (2 * (g >> 2))) & 3;
  return (low | (high << 4)) - 32;
}

export const decodeQ3K: Decoder = (bytes) => {
  const nb = blockCountOfBytes(bytes.length, TYPE_SIZE, "Q3_K");
  const out = new Float32Array(nb * 256);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    const d = readHalf(bytes, o + 108);
    // Value v = h*128 + j*32 + l: low bits 2j of qs[h*32 + l], high bit h*4 + j of hmask[l];
    // group of 16 g = v >> 4 = h*8 + j*2 + (l >> 4).
    for (let h = 0; h < 2; h++) {
      for (let j = 0; j < 4; j++) {
        const shift = 2 * j;
        const hshift = h * 4 + j;
        for (let half = 0; half < 2; half++) {
          const g = h * 8 + j * 2 + half;
          const dl = fr(d * scaleQ3K(bytes, o + 96, g));
          const y0 = i * 256 + g * 16;
          for (let k = 0; k < 16; k++) {
            const l = half * 16 + k;
            const low = (bytes[o + 32 + h * 32 + l]! >> shift) & 3;
            out[y0 + k] = dl * ((bytes[o + l]! >> hshift) & 1 ? low : low - 4);
          }
        }
      }
    }
  }
  return out;
};
