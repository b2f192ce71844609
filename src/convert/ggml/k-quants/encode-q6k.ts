import type { Encoder } from "../types.js";
import { blockCount } from "./blocks.js";
import { fp32ToFp16Bits, readHalf, writeHalf } from "./half.js";
import { makeQxQuants } from "./make-qx.js";
import { clamp, GROUP_MAX_EPS, nearestInt } from "./rounding.js";

/**
 * Q6_K, bit-exact with ggml's quantize_row_q6_K_ref (no importance matrix). Block of 210 bytes:
 * ql[128] (low nibbles), qh[64] (top 2 bits), 16 int8 group scales, d (half). Values are
 * d * scale[g] * (q - 32), q in 0..63, groups of 16.
 */
const TYPE_SIZE = 210;
const fr = Math.fround;

const L = new Int8Array(256);
const scales = new Float32Array(16);

/** Fits the 16 groups; returns the signed scale of largest magnitude (0 when all are ~0). */
function fitGroups(x: Float32Array, xo: number): number {
  let maxScale = 0;
  let maxAbsScale = 0;
  for (let ib = 0; ib < 16; ib++) {
    const scale = makeQxQuants(x, xo + 16 * ib, 16, 32, L, 16 * ib);
    scales[ib] = scale;
    const abs = Math.abs(scale);
    if (abs > maxAbsScale) {
      maxAbsScale = abs;
      maxScale = scale;
    }
  }
  return maxAbsScale < GROUP_MAX_EPS ? 0 : maxScale;
}

/** Packs L (0..63) into ql/qh of the block at o. */
function packLevels(out: Uint8Array, o: number): void {
  let ql = o;
  let qh = o + 128;
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) {
      const a = L[j + l]!;
      const b = L[j + l + 32]!;
      const c = L[j + l + 64]!;
      const e = L[j + l + 96]!;
      out[ql + l] = (a & 0xf) | ((c & 0xf) << 4);
      out[ql + l + 32] = (b & 0xf) | ((e & 0xf) << 4);
      out[qh + l] = (a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6);
    }
    ql += 64;
    qh += 32;
  }
}

function encodeBlock(x: Float32Array, xo: number, out: Uint8Array, o: number): void {
  const maxScale = fitGroups(x, xo);
  if (maxScale === 0) return; // all-zero block: every byte 0, d = +0 (the output starts zeroed)
  const iscale = fr(-128 / maxScale);
  writeHalf(out, o + 208, fp32ToFp16Bits(fr(1 / iscale)));
  const d0 = readHalf(out, o + 208);
  for (let ib = 0; ib < 16; ib++) {
    const sc = Math.min(127, nearestInt(fr(iscale * scales[ib]!)));
    out[o + 192 + ib] = sc & 0xff;
    const d = fr(d0 * ((sc << 24) >> 24)); // the int8 C stored
    if (d === 0) continue; // C's `if (!d)`, which a NaN d passes
    const go = xo + 16 * ib;
    for (let ii = 0; ii < 16; ii++) L[16 * ib + ii] = clamp(nearestInt(fr(x[go + ii]! / d)), -32, 31) + 32;
  }
  packLevels(out, o);
}

export const encodeQ6K: Encoder = (values) => {
  const nb = blockCount(values.length, "Q6_K");
  const out = new Uint8Array(nb * TYPE_SIZE);
  for (let i = 0; i < nb; i++) encodeBlock(values, i * 256, out, i * TYPE_SIZE);
  return out;
};
