import bytes from "bytes";
import { HubferryError } from "../core/errors.js";

/** Parses a size such as `10MB`, `16MiB`, `1.5G` or a plain number of bytes. */
export function parseSize(flag: string, value: string): number {
  const n = bytes.parse(value.replace(/iB$/i, "B"));
  if (n === null || !Number.isFinite(n) || n < 0) {
    throw new HubferryError(
      "BAD_INPUT",
      `${flag}: "${value}" is not a size`,
      "examples: 10MB, 512KB, 50G, 1048576",
    );
  }
  return Math.floor(n);
}
