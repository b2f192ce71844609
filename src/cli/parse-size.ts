import { HubferryError } from "../core/errors.js";

/**
 * Decimal units, as `hf` (huggingface_hub's `parse_size`) reads them: K, M, G, T, P, with or without
 * a B, are powers of 1000. Binary units (KiB ... PiB) are powers of 1024. Case does not matter.
 */
const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  p: 1e15,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};

/** What every size flag's `--help` says of its value. */
export const SIZE_FORMS =
  "bytes, or a number with K, M, G, T (powers of 1000, as `hf` reads them) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 500MB, 50G, 1.5T, 16MiB";

const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i;

/** Parses a size such as `50G`, `500MB`, `16MiB`, `1.5T` or a plain number of bytes (whole bytes). */
export function parseSize(flag: string, value: string): number {
  const match = SIZE.exec(value.trim());
  const factor = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  const n = match && factor !== undefined ? Math.floor(Number(match[1]) * factor) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new HubferryError("BAD_INPUT", `${flag}: "${value}" is not a size`, `use ${SIZE_FORMS}`);
  }
  return n;
}
