import { clamp, GROUP_MAX_EPS, nearestInt } from "./rounding.js";

/**
 * ggml's make_q3_quants with do_rmse (what Q3_K uses): symmetric levels l in -nmax..nmax-1 for
 * one group, starting from -nmax / max, then up to five passes that move single levels when that
 * raises the x^2-weighted fit sum(w x l)^2 / sum(w l l). Levels are returned as l + nmax.
 * Float32 rounding after every operation, in C's order (see make-qkx2.ts for why).
 */
const fr = Math.fround;

const w = new Float64Array(16);
const wx = new Float64Array(16);

/** make_q3_quants(n, nmax, x + xo, L + lo, true): returns the scale (0 for an all-zero group). */
export function makeQ3Quants(
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
    const ax = Math.abs(x[xo + i]!);
    if (ax > amax) {
      amax = ax;
      max = x[xo + i]!;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  const iscale = fr(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xo + i]!;
    const l = clamp(nearestInt(fr(iscale * xi)), -nmax, nmax - 1);
    L[lo + i] = l;
    w[i] = fr(xi * xi);
    wx[i] = fr(w[i]! * xi);
    sumlx = fr(sumlx + fr(wx[i]! * l));
    suml2 = fr(suml2 + fr(fr(w[i]! * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const li = L[lo + i]!;
      let slx = fr(sumlx - fr(wx[i]! * li));
      if (!(slx > 0)) continue;
      let sl2 = fr(suml2 - fr(fr(w[i]! * li) * li));
      const newL = clamp(nearestInt(fr(fr(x[xo + i]! * sl2) / slx)), -nmax, nmax - 1);
      if (newL === li) continue;
      slx = fr(slx + fr(wx[i]! * newL));
      sl2 = fr(sl2 + fr(fr(w[i]! * newL) * newL));
      if (sl2 > 0 && fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
        L[lo + i] = newL;
        sumlx = slx;
        suml2 = sl2;
        changed++;
      }
    }
    if (!changed) break;
  }
  for (let i = 0; i < n; i++) L[lo + i] = L[lo + i]! + nmax;
  return suml2 > 0 ? fr(sumlx / suml2) : 0;
}
