import { HubferryError } from "../core/errors.js";

/** `30m`, `2h`, `90s` or plain seconds; default one hour; at most 24 hours (Modal's limit). */
export function parseDuration(text: string | undefined): number {
  if (text === undefined) return 3600_000;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  const ms = m
    ? Number(m[1]) * { s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? "s") as "s" | "m" | "h"]
    : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 24 * 3600_000) {
    throw new HubferryError(
      "BAD_INPUT",
      `--timeout "${text}" is not a duration from 1s to 24h`,
      "write it like 45m or 2h",
    );
  }
  return ms;
}
