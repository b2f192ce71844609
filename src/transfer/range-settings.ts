import { HubferryError } from "../core/errors.js";

/** How one large file is read: in parts of `partSize`, up to `streams` ranged requests at once. */
export interface RangeSettings {
  streams: number;
  partSize: number;
}

const MiB = 1024 * 1024;
/** The best single-machine downloads use about 8 connections per file; 4 is a polite default. */
export const DEFAULT_STREAMS = 4;
export const MAX_STREAMS = 16;
/**
 * Parts small enough to keep memory low, large enough that a request's setup is noise. A file
 * holds up to `streams - 1` parts while it waits for the one being handed on: with 4 files at a
 * time and 4 streams, 16 MiB parts bound that at about 200 MiB for the whole run.
 */
export const DEFAULT_PART_SIZE = 16 * MiB;
export const MIN_PART_SIZE = 16 * MiB;
export const MAX_PART_SIZE = 64 * MiB;

/** The environment's knobs (until there are flags): what a benchmark turns. */
export const STREAMS_VAR = "HUBFERRY_RANGE_STREAMS";
export const PART_VAR = "HUBFERRY_RANGE_PART_MIB";

/** The settings asked for, clamped: 1-16 streams, parts of 16-64 MiB. */
export function rangeSettings(asked: Partial<RangeSettings> = {}): RangeSettings {
  const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)));
  return {
    streams: clamp(asked.streams ?? DEFAULT_STREAMS, 1, MAX_STREAMS),
    partSize: clamp(asked.partSize ?? DEFAULT_PART_SIZE, MIN_PART_SIZE, MAX_PART_SIZE),
  };
}

/** HUBFERRY_RANGE_STREAMS (1 = one stream per file) and HUBFERRY_RANGE_PART_MIB, checked. */
export function rangeSettingsFromEnv(env: NodeJS.ProcessEnv): RangeSettings {
  const read = (name: string, lo: number, hi: number): number | undefined => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < lo || n > hi)
      throw new HubferryError("BAD_INPUT", `${name}: "${text}" is not a whole number (${lo}-${hi})`);
    return n;
  };
  const streams = read(STREAMS_VAR, 1, MAX_STREAMS);
  const part = read(PART_VAR, MIN_PART_SIZE / MiB, MAX_PART_SIZE / MiB);
  return rangeSettings({ streams, partSize: part === undefined ? undefined : part * MiB });
}

/** Files under two parts gain nothing from a second stream: they are read in one. */
export function readsInParallel(length: number, s: RangeSettings): boolean {
  return s.streams > 1 && length >= 2 * s.partSize;
}
