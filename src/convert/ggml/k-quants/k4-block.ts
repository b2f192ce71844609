import { fp32ToFp16Bits, readHalf, writeHalf } from "./half.js";
import { makeQkx2Quants, type Qkx2Out, type Qkx2Params } from "./make-qkx2.js";
import { clamp, nearestInt } from "./rounding.js";
import { minK4, packScaleMinK4, scaleK4 } from "./scale-min-k4.js";

/**
 * The part of quantize_row_q4_K_ref / quantize_row_q5_K_ref that the two share: per group of 32,
 * weights av_x + |x| and a make_qkx2_quants fit; the eight scales and mins quantized to 6 bits
 * against the block's largest (d, dmin as halves); then every value re-quantized against the
 * scales as stored, so the levels match what a decoder will multiply them by.
 */
const fr = Math.fround;

const weights = new Float64Array(32);
const scales = new Float32Array(8);
const mins = new Float32Array(8);
const fit: Qkx2Out = { scale: 0, min: 0 };

/** Fits the eight groups of x[xo..xo+256); levels go to L[0..256). */
function fitGroups(x: Float32Array, xo: number, L: Uint8Array, p: Qkx2Params): void {
  for (let j = 0; j < 8; j++) {
    const go = xo + 32 * j;
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) {
      const v = x[go + l]!;
      sumX2 = fr(sumX2 + fr(v * v));
    }
    const avX = fr(Math.sqrt(fr(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(x[go + l]!));
    makeQkx2Quants(x, go, 32, weights, L, 32 * j, p, fit);
    scales[j] = fit.scale;
    mins[j] = fit.min;
  }
}

/**
 * Writes d (at `o`), dmin (o + 2) and the 12 scale bytes (o + 4) of the block of x at xo, and its
 * levels (0..nmax) to L[0..256).
 */
export function quantizeK4Block(
  x: Float32Array,
  xo: number,
  out: Uint8Array,
  o: number,
  L: Uint8Array,
  p: Qkx2Params,
): void {
  fitGroups(x, xo, L, p);
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    if (scales[j]! > maxScale) maxScale = scales[j]!;
    if (mins[j]! > maxMin) maxMin = mins[j]!;
  }
  const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
  const so = o + 4;
  out.fill(0, so, so + 12);
  for (let j = 0; j < 8; j++) {
    // C stores nearest_int into a uint8_t before MIN(63, .): keep the wrap-around.
    const ls = Math.min(63, nearestInt(fr(invScale * scales[j]!)) & 0xff);
    const lm = Math.min(63, nearestInt(fr(invMin * mins[j]!)) & 0xff);
    packScaleMinK4(out, so, j, ls, lm);
  }
  writeHalf(out, o, fp32ToFp16Bits(fr(maxScale / 63)));
  writeHalf(out, o + 2, fp32ToFp16Bits(fr(maxMin / 63)));
  const d0 = readHalf(out, o);
  const dmin0 = readHalf(out, o + 2);
  for (let j = 0; j < 8; j++) {
    const d = fr(d0 * scaleK4(out, so, j));
    if (d === 0) continue; // C's `if (!d)`: the fit's levels stay (a NaN d goes on, as in C)
    const dm = fr(dmin0 * minK4(out, so, j));
    const go = xo + 32 * j;
    for (let ii = 0; ii < 32; ii++)
      L[32 * j + ii] = clamp(nearestInt(fr(fr(x[go + ii]! + dm) / d)), 0, p.nmax);
  }
}
