import type { Decoder } from "../types.js";
import { blockCountOfBytes } from "./blocks.js";
import { readHalf } from "./half.js";

/**
 * Q6_K decoding, bit-identical to gguf 0.19.0's dequantize: value = (d * scale[g]) * (q - 32) per
 * group of 16, both products rounded to float32. Value v = h*128 + s*64 + m takes nibble s of
 * ql[h*64 + m] and bits 2j (j = (v >> 5) & 3) of qh[h*32 + (v & 31)]; group g = v >> 4.
 */
const TYPE_SIZE = 210;
const fr = Math.fround;

export const decodeQ6K: Decoder = (bytes) => {
  const nb = blockCountOfBytes(bytes.length, TYPE_SIZE, "Q6_K");
  const out = new Float32Array(nb * 256);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    const d = readHalf(bytes, o + 208);
    for (let h = 0; h < 2; h++) {
      for (let j = 0; j < 4; j++) {
        const ql = o + h * 64 + (j & 1) * 32;
        const lowShift = (j >> 1) * 4;
        const qh = o + 128 + h * 32;
        for (let half = 0; half < 2; half++) {
          const g = h * 8 + j * 2 + half;
          const dl = fr(d * ((bytes[o + 192 + g]! << 24) >> 24));
          const y0 = i * 256 + g * 16;
          for (let k = 0; k < 16; k++) {
            const l = half * 16 + k;
            const q = ((bytes[ql + l]! >> lowShift) & 0xf) | (((bytes[qh + l]! >> (2 * j)) & 3) << 4);
            out[y0 + k] = dl * (q - 32);
          }
        }
      }
    }
  }
  return out;
};
