import { clamp, GROUP_MAX_EPS, nearestInt, TENTH } from "./rounding.js";

/**
 * ggml's make_qx_quants as Q6_K calls it (rmse_type 1, no importance weights): symmetric levels
 * L in 0..2*nmax-1 (l + nmax) for one group, trying 18 inverse scales -(nmax + 0.1 * is) / max
 * around the plain one and keeping the least-squares scale with the best x^2-weighted fit.
 * Float32 rounding after every operation, in C's order (see make-qkx2.ts for why).
 */
const fr = Math.fround;

// The group's x, w = x*x and w*x per value (C computes w*x[i]*l as (w*x)*l, so w*x can be kept);
// float32 values in Float64Arrays, so the 19 candidate passes read them without conversions.
const xs = new Float64Array(16);
const w = new Float64Array(16);
const wx = new Float64Array(16);
const sums = new Float64Array(2);
// The level each value had in the last candidate, with its terms w*x*l and w*l*l: levels change
// for few values from one candidate to the next, so terms are recomputed only for those.
const lastL = new Int8Array(16);
const termLX = new Float64Array(16);
const termL2 = new Float64Array(16);
const NO_LEVEL = -128;

/**
 * sum(w x l) and sum(w l l) for one inverse scale; levels go to L when `store`. Returns false when
 * every level equals the previous candidate's.
 */
function trial(n: number, nmax: number, iscale: number, L: Int8Array, lo: number, store: boolean): boolean {
  let changed = false;
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(fr(iscale * xs[i]!)), -nmax, nmax - 1);
    if (store) L[lo + i] = l + nmax;
    if (lastL[i] !== l) {
      lastL[i] = l;
      changed = true;
      termLX[i] = fr(wx[i]! * l);
      termL2[i] = fr(fr(w[i]! * l) * l);
    }
    sumlx = fr(sumlx + termLX[i]!);
    suml2 = fr(suml2 + termL2[i]!);
  }
  sums[0] = sumlx;
  sums[1] = suml2;
  return changed;
}

/** make_qx_quants(n, nmax, x + xo, L + lo, 1, NULL): returns the scale (0 for an all-zero group). */
export function makeQxQuants(
  x: Float32Array,
  xo: number,
  n: number,
  nmax: number,
  L: Int8Array,
  lo: number,
): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i]!;
    xs[i] = xi;
    const ax = Math.abs(xi);
    if (ax > amax) {
      amax = ax;
      max = xi;
    }
    w[i] = fr(xi * xi);
    wx[i] = fr(w[i]! * xi);
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  lastL.fill(NO_LEVEL, 0, n);
  trial(n, nmax, fr(-nmax / max), L, lo, true);
  let sumlx = sums[0]!;
  let suml2 = sums[1]!;
  let scale = suml2 !== 0 ? fr(sumlx / suml2) : 0; // C's `suml2 ?`: true for NaN
  let best = fr(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    const iscale = fr(-fr(nmax + fr(TENTH * is)) / max);
    // Same levels as the previous candidate: C would take the same decision to the same state.
    if (!trial(n, nmax, iscale, L, lo, false)) continue;
    sumlx = sums[0]!;
    suml2 = sums[1]!;
    if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
      trial(n, nmax, iscale, L, lo, true);
      scale = fr(sumlx / suml2);
      best = fr(scale * sumlx);
    }
  }
  return scale;
}
