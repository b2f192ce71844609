import type { Encoder } from "../types.js";
import { blockCount } from "./blocks.js";
import { quantizeK4Block } from "./k4-block.js";
import type { Qkx2Params } from "./make-qkx2.js";

/**
 * Q4_K, bit-exact with ggml's quantize_row_q4_K_ref (no importance matrix). Block of 144 bytes:
 * d, dmin (halves), 12 bytes of 6-bit scales and mins, then 128 bytes of 4-bit levels where byte l
 * of each 32-byte run holds value l (low nibble) and value l + 32 (high nibble) of a 64-value span.
 */
const TYPE_SIZE = 144;
const PARAMS: Qkx2Params = { nmax: 15, rmin: -1, rdelta: Math.fround(0.1), nstep: 20, useMad: false };

const L = new Uint8Array(256);

export const encodeQ4K: Encoder = (values) => {
  const nb = blockCount(values.length, "Q4_K");
  const out = new Uint8Array(nb * TYPE_SIZE);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    quantizeK4Block(values, i * 256, out, o, L, PARAMS);
    let q = o + 16;
    for (let j = 0; j < 256; j += 64) {
      for (let l = 0; l < 32; l++) out[q + l] = L[j + l]! | (L[j + l + 32]! << 4);
      q += 32;
    }
  }
  return out;
};
