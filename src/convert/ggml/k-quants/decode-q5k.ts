import type { Decoder } from "../types.js";
import { blockCountOfBytes } from "./blocks.js";
import { readHalf } from "./half.js";
import { minK4, scaleK4 } from "./scale-min-k4.js";

/**
 * Q5_K decoding, bit-identical to gguf 0.19.0's dequantize: as Q4_K with a fifth bit per value,
 * bit g of qh[l] for value l of group g.
 */
const TYPE_SIZE = 176;
const fr = Math.fround;

export const decodeQ5K: Decoder = (bytes) => {
  const nb = blockCountOfBytes(bytes.length, TYPE_SIZE, "Q5_K");
  const out = new Float32Array(nb * 256);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    const d = readHalf(bytes, o);
    const dmin = readHalf(bytes, o + 2);
    for (let g = 0; g < 8; g++) {
      const dl = fr(d * scaleK4(bytes, o + 4, g));
      const ml = fr(dmin * minK4(bytes, o + 4, g));
      const q0 = o + 48 + (g >> 1) * 32;
      const shift = (g & 1) * 4;
      const y0 = i * 256 + g * 32;
      for (let l = 0; l < 32; l++) {
        const q = ((bytes[q0 + l]! >> shift) & 0xf) | (((bytes[o + 16 + l]! >> g) & 1) << 4);
        out[y0 + l] = fr(dl * q) - ml;
      }
    }
  }
  return out;
};
