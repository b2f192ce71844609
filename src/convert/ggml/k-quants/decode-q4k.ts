import type { Decoder } from "../types.js";
import { blockCountOfBytes } from "./blocks.js";
import { readHalf } from "./half.js";
import { minK4, scaleK4 } from "./scale-min-k4.js";

/**
 * Q4_K decoding, bit-identical to gguf 0.19.0's dequantize: value = (d * scale) * q - (dmin * min)
 * per group of 32, each product and the difference rounded to float32 (numpy's order).
 */
const TYPE_SIZE = 144;
const fr = Math.fround;

export const decodeQ4K: Decoder = (bytes) => {
  const nb = blockCountOfBytes(bytes.length, TYPE_SIZE, "Q4_K");
  const out = new Float32Array(nb * 256);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    const d = readHalf(bytes, o);
    const dmin = readHalf(bytes, o + 2);
    for (let g = 0; g < 8; g++) {
      const dl = fr(d * scaleK4(bytes, o + 4, g));
      const ml = fr(dmin * minK4(bytes, o + 4, g));
      // Group g = 2c + s: nibble s (low, high) of the 32 bytes qs[c*32 ..].
      const q0 = o + 16 + (g >> 1) * 32;
      const shift = (g & 1) * 4;
      const y0 = i * 256 + g * 32;
      for (let l = 0; l < 32; l++) out[y0 + l] = fr(dl * ((bytes[q0 + l]! >> shift) & 0xf)) - ml;
    }
  }
  return out;
};
