import type { Encoder } from "../types.js";
import { blockCount } from "./blocks.js";
import { quantizeK4Block } from "./k4-block.js";
import type { Qkx2Params } from "./make-qkx2.js";

/**
 * Q5_K, bit-exact with ggml's quantize_row_q5_K_ref (no importance matrix). Block of 176 bytes:
 * d, dmin, 12 scale bytes, 32 bytes of high bits (bit 2k / 2k+1 of byte l: value l / l + 32 of the
 * k-th 64-value span), then 128 bytes of low nibbles laid out as in Q4_K.
 */
const TYPE_SIZE = 176;
const PARAMS: Qkx2Params = { nmax: 31, rmin: -0.5, rdelta: Math.fround(0.1), nstep: 15, useMad: false };

const L = new Uint8Array(256);

export const encodeQ5K: Encoder = (values) => {
  const nb = blockCount(values.length, "Q5_K");
  const out = new Uint8Array(nb * TYPE_SIZE);
  for (let i = 0; i < nb; i++) {
    const o = i * TYPE_SIZE;
    quantizeK4Block(values, i * 256, out, o, L, PARAMS);
    const qh = o + 16;
    let ql = o + 48;
    let m1 = 1;
    let m2 = 2;
    for (let n = 0; n < 256; n += 64) {
      for (let j = 0; j < 32; j++) {
        let l1 = L[n + j]!;
        if (l1 > 15) {
          l1 -= 16;
          out[qh + j]! |= m1;
        }
        let l2 = L[n + j + 32]!;
        if (l2 > 15) {
          l2 -= 16;
          out[qh + j]! |= m2;
        }
        out[ql + j] = l1 | (l2 << 4);
      }
      m1 <<= 2;
      m2 <<= 2;
      ql += 32;
    }
  }
  return out;
};
