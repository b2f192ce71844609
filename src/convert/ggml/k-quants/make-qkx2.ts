import { clamp, nearestInt } from "./rounding.js";

/**
 * ggml's make_qkx2_quants: fits x ~ scale * L + min (L in 0..nmax, min <= 0) for one group of a
 * block by trying nstep + 1 candidate scales around nmax / (max - min) and keeping the one with
 * the smallest weighted error, refining scale and min by least squares for each candidate.
 *
 * Every float operation is rounded to float32 (Math.fround) in the order C evaluates it, with no
 * fused multiply-add, because the bytes must equal ggml-base's built with GGML_NATIVE=OFF.
 * Float32 emulation makes each operation cost a few conversions, so work whose result C would
 * throw away is skipped (a candidate whose levels repeat the previous candidate's), never changed.
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
const MAX_N = 32;

// Scratch for one group (groups are at most 32 values): x copied to offset 0, x - min, and the
// candidate's levels. Module-level so no call allocates. Float64Arrays holding float32 values
// (weights too): exact, and reading them costs no float32 -> float64 conversion in the hot loops.
const xs = new Float64Array(MAX_N);
const xm = new Float64Array(MAX_N);
const aux = new Uint8Array(MAX_N);
const sums = new Float64Array(3);

const fitted = new Float64Array(64);

/**
 * Weighted error of x ~ scale * levels + min: sum of w |diff| with useMad, else w diff^2. The
 * fitted value fr(fr(scale * l) + min) depends on the level alone, so it is tabulated once per
 * level (nmax + 1 of them) rather than computed per value; the rounding steps stay C's.
 * Every term is >= 0 (or NaN), so a float32 sum never decreases: once it reaches `bound` the
 * candidate cannot beat it (C's `cur_error < best_error` fails), and the rest is not summed.
 */
function groupError(
  w: Float64Array,
  levels: Uint8Array,
  lo: number,
  n: number,
  nmax: number,
  scale: number,
  min: number,
  useMad: boolean,
  bound: number,
): number {
  for (let l = 0; l <= nmax; l++) fitted[l] = fr(fr(scale * l) + min);
  let err = 0;
  if (useMad) {
    for (let i = 0; i < n && !(err >= bound); i++)
      err = fr(err + fr(w[i]! * Math.abs(fr(fitted[levels[lo + i]!]! - xs[i]!))));
  } else {
    for (let i = 0; i < n && !(err >= bound); i++) {
      const diff = fr(fitted[levels[lo + i]!]! - xs[i]!);
      err = fr(err + fr(w[i]! * fr(diff * diff)));
    }
  }
  return err;
}

/** xm = x - min, rounded: the same for every candidate until a better fit moves min. */
function shift(n: number, min: number): void {
  for (let i = 0; i < n; i++) xm[i] = fr(xs[i]! - min);
}

// Each value's terms w*l, w*l*l, w*l*x for its level in aux: a value's level changes in few of
// the candidates, so its terms are recomputed only then (the same float32 products as C's).
const termL = new Float64Array(MAX_N);
const termL2 = new Float64Array(MAX_N);
const termXL = new Float64Array(MAX_N);
const NO_LEVEL = 255;

/**
 * Levels of one candidate inverse scale into aux, with sum(w l), sum(w l l), sum(w l x) in C's
 * order into `sums`; returns false when the levels equal those already in aux (the previous
 * candidate's): fit and error depend only on the levels, so that candidate's outcome is known.
 */
function trialLevels(w: Float64Array, n: number, nmax: number, iscale: number): boolean {
  let changed = false;
  let sumL = 0;
  let sumL2 = 0;
  let sumXL = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(fr(iscale * xm[i]!)), 0, nmax);
    if (aux[i] !== l) {
      aux[i] = l;
      changed = true;
      const wl = fr(w[i]! * l);
      termL[i] = wl;
      termL2[i] = fr(wl * l);
      termXL[i] = fr(wl * xs[i]!);
    }
    sumL = fr(sumL + termL[i]!);
    sumL2 = fr(sumL2 + termL2[i]!);
    sumXL = fr(sumXL + termXL[i]!);
  }
  sums[0] = sumL;
  sums[1] = sumL2;
  sums[2] = sumXL;
  return changed;
}

/** Copies the group to xs; returns [min, max, sum_w, sum_x] of C's first loop in `sums`-like out. */
function scan(x: Float32Array, xo: number, n: number, w: Float64Array, stats: Float64Array): void {
  let min = x[xo]!;
  let max = min;
  let sumW = w[0]!;
  let sumX = fr(sumW * min);
  xs[0] = min;
  for (let i = 1; i < n; i++) {
    const xi = x[xo + i]!;
    xs[i] = xi;
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    sumW = fr(sumW + w[i]!);
    sumX = fr(sumX + fr(w[i]! * xi));
  }
  if (min > 0) min = 0;
  stats[0] = min;
  stats[1] = max;
  stats[2] = sumW;
  stats[3] = sumX;
}

const stats = new Float64Array(4);

/**
 * make_qkx2_quants over x[xo..xo+n) (n <= 32) with weights w[0..n): levels go to L[lo..lo+n);
 * the scale and negated min go to `out`.
 */
export function makeQkx2Quants(
  x: Float32Array,
  xo: number,
  n: number,
  w: Float64Array,
  L: Uint8Array,
  lo: number,
  p: Qkx2Params,
  out: Qkx2Out,
): void {
  scan(x, xo, n, w, stats);
  let min = stats[0]!;
  const max = stats[1]!;
  const sumW = stats[2]!;
  const sumX = stats[3]!;
  out.min = -min;
  if (max === min) {
    L.fill(0, lo, lo + n);
    out.scale = 0;
    return;
  }
  shift(n, min);
  aux.fill(NO_LEVEL, 0, n); // no terms cached yet: the first candidate computes them all
  let iscale = fr(p.nmax / fr(max - min));
  let scale = fr(1 / iscale);
  for (let i = 0; i < n; i++) L[lo + i] = clamp(nearestInt(fr(iscale * xm[i]!)), 0, p.nmax);
  let bestError = groupError(w, L, lo, n, p.nmax, scale, min, p.useMad, Number.POSITIVE_INFINITY);
  for (let is = 0; is <= p.nstep && p.nstep >= 1; is++) {
    // max - min afresh each time: as in C, a better fit moves `min` for the later candidates.
    iscale = fr(fr(fr(p.rmin + fr(p.rdelta * is)) + p.nmax) / fr(max - min));
    if (!trialLevels(w, n, p.nmax, iscale) && is > 0) continue;
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
    const curError = groupError(w, aux, 0, n, p.nmax, thisScale, thisMin, p.useMad, bestError);
    if (curError < bestError) {
      for (let i = 0; i < n; i++) L[lo + i] = aux[i]!;
      bestError = curError;
      scale = thisScale;
      if (thisMin !== min) shift(n, thisMin);
      min = thisMin;
    }
  }
  out.scale = scale;
  out.min = -min;
}
