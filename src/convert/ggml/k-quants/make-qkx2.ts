import { clamp, nearestInt } from "./rounding.js";

/**
 * ggml's make_qkx2_quants: fits x ~ scale * L + min (L in 0..nmax, min <= 0) for one group of a
 * block by trying nstep + 1 candidate scales around nmax / (max - min) and keeping the one with
 * the smallest weighted error, refining scale and min by least squares for each candidate.
 *
 * Every float operation is rounded to float32 (Math.fround) in the order C evaluates it, with no
 * fused multiply-add, because the bytes must equal ggml-base's built with GGML_NATIVE=OFF.
 */
export interface Qkx2Params {
  nmax: number;
  rmin: number;
  rdelta: number;
  nstep: number;
  useMad: boolean;
}

/** The group's results: the scale, and the min as ggml returns it (negated: >= 0). */
export interface Qkx2Out {
  scale: number;
  min: number;
}

const fr = Math.fround;

/** Weighted error of x ~ scale * L + min over the group (|diff| with useMad, else diff^2). */
function groupError(
  x: Float32Array,
  xo: number,
  w: Float32Array,
  L: Uint8Array,
  lo: number,
  n: number,
  scale: number,
  min: number,
  useMad: boolean,
): number {
  let err = 0;
  for (let i = 0; i < n; i++) {
    const diff = fr(fr(fr(scale * L[lo + i]!) + min) - x[xo + i]!);
    err = fr(err + fr(w[i]! * (useMad ? Math.abs(diff) : fr(diff * diff))));
  }
  return err;
}

/** Quantizes L[lo..lo+n) for one trial inverse scale; returns [sum_l, sum_l2, sum_xl] in `sums`. */
function trialLevels(
  x: Float32Array,
  xo: number,
  w: Float32Array,
  L: Uint8Array,
  n: number,
  nmax: number,
  iscale: number,
  min: number,
  sums: Float64Array,
): void {
  let sumL = 0;
  let sumL2 = 0;
  let sumXL = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i]!;
    const l = clamp(nearestInt(fr(iscale * fr(xi - min))), 0, nmax);
    L[i] = l;
    const wl = fr(w[i]! * l);
    sumL = fr(sumL + wl);
    sumL2 = fr(sumL2 + fr(wl * l));
    sumXL = fr(sumXL + fr(wl * xi));
  }
  sums[0] = sumL;
  sums[1] = sumL2;
  sums[2] = sumXL;
}

const sums = new Float64Array(3);

/**
 * make_qkx2_quants over x[xo..xo+n) with weights w[0..n): levels go to L[lo..lo+n), `aux` is
 * scratch of n bytes; the scale and negated min go to `out`.
 */
export function makeQkx2Quants(
  x: Float32Array,
  xo: number,
  n: number,
  w: Float32Array,
  L: Uint8Array,
  lo: number,
  aux: Uint8Array,
  p: Qkx2Params,
  out: Qkx2Out,
): void {
  let min = x[xo]!;
  let max = min;
  const sumW0 = w[0]!;
  let sumW = sumW0;
  let sumX = fr(sumW0 * min);
  for (let i = 1; i < n; i++) {
    const xi = x[xo + i]!;
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    sumW = fr(sumW + w[i]!);
    sumX = fr(sumX + fr(w[i]! * xi));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, lo, lo + n);
    out.scale = 0;
    out.min = -min;
    return;
  }
  let iscale = fr(p.nmax / fr(max - min));
  let scale = fr(1 / iscale);
  for (let i = 0; i < n; i++) L[lo + i] = clamp(nearestInt(fr(iscale * fr(x[xo + i]! - min))), 0, p.nmax);
  let bestError = groupError(x, xo, w, L, lo, n, scale, min, p.useMad);
  if (p.nstep < 1) {
    out.scale = scale;
    out.min = -min;
    return;
  }
  for (let is = 0; is <= p.nstep; is++) {
    // max - min afresh each time: as in C, a better fit moves `min` for the later candidates.
    iscale = fr(fr(fr(p.rmin + fr(p.rdelta * is)) + p.nmax) / fr(max - min));
    trialLevels(x, xo, w, aux, n, p.nmax, iscale, min, sums);
    const sumL = sums[0]!;
    const sumL2 = sums[1]!;
    const sumXL = sums[2]!;
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (!(D > 0)) continue;
    let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
    let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
    if (thisMin > 0) {
      thisMin = 0;
      thisScale = fr(sumXL / sumL2);
    }
    const curError = groupError(x, xo, w, aux, 0, n, thisScale, thisMin, p.useMad);
    if (curError < bestError) {
      L.set(aux.subarray(0, n), lo);
      bestError = curError;
      scale = thisScale;
      min = thisMin;
    }
  }
  out.scale = scale;
  out.min = -min;
}
