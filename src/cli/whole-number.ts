import { HubferryError } from "../core/errors.js";

/**
 * A whole-number flag, checked against its range, with an error that names the flag and the
 * range. `undefined` passes through, for optional flags.
 */
export function wholeNumber(
  flag: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  what = "a whole number",
): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min}-${max}`;
    throw new HubferryError("BAD_INPUT", `${flag}: "${value}" is not ${what} (${range})`);
  }
  return n;
}

export function optionalWholeNumber(
  flag: string,
  value: string | undefined,
  min: number,
  max?: number,
): number | undefined {
  return value === undefined ? undefined : wholeNumber(flag, value, min, max);
}
