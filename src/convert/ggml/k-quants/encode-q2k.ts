import type { Encoder } from "../types.js";
import { blockCount } from "./blocks.js";
import { fp32ToFp16Bits, readHalf, writeHalf } from "./half.js";
import { makeQkx2Quants, type Qkx2Out, type Qkx2Params } from "./make-qkx2.js";
import { clamp, nearestInt } from "./rounding.js";

/**
 * Q2_K, bit-exact with ggml's quantize_row_q2_K_ref (no importance matrix). Block of 84 bytes:
 * 16 scale bytes (low nibble: the group's scale, high: its min, both against d / dmin), 64 bytes of
 * 2-bit levels (byte l of each 32-byte run: values l, l + 32, l + 64, l + 96 of a 128-value half),
 * d, dmin (halves). Groups of 16 are fitted with |x| weights and mean absolute error.
 */
const TYPE_SIZE = 84;
const PARAMS: Qkx2Params = { nmax: 3, rmin: -0.5, rdelta: Math.fround(0.1), nstep: 15, useMad: true };
const Q4SCALE = 15;
const fr = Math.fround;

const L = new Uint8Array(256);
const weights = new Float64Array(16);
const scales = new Float32Array(16);
const mins = new Float32Array(16);
const fit: Qkx2Out = { scale: 0, min: 0 };

/** Writes the 16 scale bytes, d and dmin of the block at o; the fit's levels go to L. */
function encodeScales(x: Float32Array, xo: number, out: Uint8Array, o: number): void {
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 16; j++) {
    for (let l = 0; l < 16; l++) weights[l] = Math.abs(x[xo + 16 * j + l]!);
    makeQkx2Quants(x, xo + 16 * j, 16, weights, L, 16 * j, PARAMS, fit);
    scales[j] = fit.scale;
    mins[j] = fit.min;
    if (fit.scale > maxScale) maxScale = fit.scale;
    if (fit.min > maxMin) maxMin = fit.min;
  }
  // Bytes are uint8_t in C: what nearest_int gives is kept modulo 256, as C's stores do.
  if (maxScale > 0) {
    const iscale = fr(Q4SCALE / maxScale);
    for (let j = 0; j < 16; j++) out[o + j] = nearestInt(fr(iscale * scales[j]!)) & 0xff;
    writeHalf(out, o + 80, fp32ToFp16Bits(fr(maxScale / Q4SCALE)));
  }
  if (maxMin > 0) {
    const iscale = fr(Q4SCALE / maxMin);
    for (let j = 0; j < 16; j++) out[o + j] = (out[o + j]! | (nearestInt(fr(iscale * mins[j]!)) << 4)) & 0xff;
    writeHalf(out, o + 82, fp32ToFp16Bits(fr(maxMin / Q4SCALE)));
  }
}

function encodeBlock(x: Float32Array, xo: number, out: Uint8Array, o: number): void {
  encodeScales(x, xo, out, o);
  const d0 = readHalf(out, o + 80);
  const dmin0 = readHalf(out, o + 82);
  for (let j = 0; j < 16; j++) {
    const sc = out[o + j]!;
    const d = fr(d0 * (sc & 0xf));
    if (d === 0) continue; // C's `if (!d)`: the fit's levels stay (a NaN d goes on, as in C)
    const dm = fr(dmin0 * (sc >> 4));
    for (let ii = 0; ii < 16; ii++)
      L[16 * j + ii] = clamp(nearestInt(fr(fr(x[xo + 16 * j + ii]! + dm) / d)), 0, 3);
  }
  for (let j = 0; j < 256; j += 128) {
    const q = o + 16 + j / 4;
    for (let l = 0; l < 32; l++)
      out[q + l] = L[j + l]! | (L[j + l + 32]! << 2) | (L[j + l + 64]! << 4) | (L[j + l + 96]! << 6);
  }
}

export const encodeQ2K: Encoder = (values) => {
  const nb = blockCount(values.length, "Q2_K");
  const out = new Uint8Array(nb * TYPE_SIZE);
  for (let i = 0; i < nb; i++) encodeBlock(values, i * 256, out, i * TYPE_SIZE);
  return out;
};
