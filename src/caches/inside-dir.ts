import { resolve, sep } from "node:path";
import { HubferryError } from "../core/errors.js";

/** `root/path`, refused when a hostile path would land outside `root` (`../`, absolute). */
export function insideDir(root: string, path: string): string {
  const base = resolve(root);
  const full = resolve(base, path);
  if (!full.startsWith(base + sep))
    throw new HubferryError(
      "UNSAFE",
      `${path} would be written outside ${root}`,
      "the repo listing is malicious",
    );
  return full;
}
