import type { Decoder } from "../types.js";
import { blockCountOfBytes } from "./blocks.js";
import { readHalf } from "./half.js";

/**
 * Q2_K decoding, bit-identical to gguf 0.19.0's dequantize (numpy, float32 throughout): block of 84
 * bytes = scales[16] (low nibble: scale, high: min), qs[64] (2-bit levels), d, dmin (halves);
 * value = (d * scale) * q - (dmin * min), each product and the difference rounded to float32.
 */
const TYPE_SIZE = 84;
const fr = Math.fround;

export const decodeQ2K: Decoder = (bytes) => {
  const nb = blockCountOfBytes(bytes.length, TYPE_SIZE, "Q2_K");
  const out = new Float32Array(nb * 256);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    const d = readHalf(bytes, o + 80);
    const dmin = readHalf(bytes, o + 82);
    const y = i * 256;
    // Value h*128 + j*32 + l comes from bits 2j of qs[h*32 + l]; group of 16 = (index >> 4).
    for (let h = 0; h < 2; h++) {
      for (let j = 0; j < 4; j++) {
        for (let half = 0; half < 2; half++) {
          const g = h * 8 + j * 2 + half;
          const sc = bytes[o + g]!;
          const dl = fr(d * (sc & 0xf));
          const ml = fr(dmin * (sc >> 4));
          const q0 = o + 16 + h * 32 + half * 16;
          const y0 = y + g * 16;
          for (let l = 0; l < 16; l++) out[y0 + l] = fr(dl * ((bytes[q0 + l]! >> (2 * j)) & 3)) - ml;
        }
      }
    }
  }
  return out;
};
