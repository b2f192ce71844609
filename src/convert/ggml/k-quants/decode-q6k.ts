import type { Decoder } from "../types.js";
import { blockCountOfBytes } from "./blocks.js";
import { readHalf } from "./half.js";

/**
 * Q6_K decoding, bit-identical to gguf 0.19.0's dequantize: value = (d * scale[g]) * (q - 32) per
 * group of 16, both products rounded to float32. Value v = h*128 + s*64 + m takes nibble s of
 * ql[h*64 + m] and bits 2j (j = (v >> 5) & 3) of qh[h*32 + (v & 31)].
 */
const TYPE_SIZE = 210;
const fr = Math.fround;

export const decodeQ6K: Decoder = (bytes) => {
  const nb = blockCountOfBytes(bytes.length, TYPE_SIZE, "Q6_K");
  const out = new Float32Array(nb * 256);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    const d = readHalf(bytes, o + 208);
    for (let g = 0; g < 16; g++) {
      const dl = fr(d * ((bytes[o + 192 + g]! << 24) >> 24));
      for (let k = 0; k < 16; k++) {
        const v = g * 16 + k;
        const h = v >> 7;
        const low = (bytes[o + h * 64 + (v & 63)]! >> (((v >> 6) & 1) * 4)) & 0xf;
        const high = (bytes[o + 128 + h * 32 + (v & 31)]! >> (2 * ((v >> 5) & 3))) & 3;
        out[i * 256 + v] = dl * ((low | (high << 4)) - 32);
      }
    }
  }
  return out;
};
