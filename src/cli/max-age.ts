import { HubferryError } from "../core/errors.js";

/** How long which commit a branch is at is trusted, unless `--max-age` says otherwise. */
export const DEFAULT_MAX_AGE_MS = 5 * 60_000;
/** Searches change as others publish: their answers are kept for less. */
export const DEFAULT_SEARCH_MAX_AGE_MS = 60_000;

/** `--max-age`: `0` (always ask the hub), `90s`, `10m`, `2h`, `7d`, or plain seconds. */
export function parseMaxAge(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text.trim());
  if (!m)
    throw new HubferryError(
      "BAD_INPUT",
      `--max-age "${text}" is not a duration`,
      "write it like 0 (always ask the hub), 90s, 10m, 2h or 7d",
    );
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "s") as "s"];
}
