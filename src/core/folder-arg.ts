import { homedir } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A command-line argument that names a local folder rather than a repo: `./dir`, `../dir`, `.`,
 * `/abs/dir`, `~/dir` or a `file:` URL. Repo ids never look like these (`owner/name`, `hf:…`,
 * `https://…`), so the two cannot be confused. Returns the absolute path, or undefined.
 */
export function folderArg(text: string | undefined): string | undefined {
  if (!text) return undefined;
  if (text.startsWith("file:")) {
    try {
      return fileURLToPath(new URL(text));
    } catch {
      return resolve(text.slice("file:".length));
    }
  }
  if (text === "~" || text.startsWith("~/")) return resolve(homedir(), text.slice(2));
  if (text === "." || text === ".." || /^\.{1,2}\//.test(text) || text.startsWith("/")) return resolve(text);
  return undefined;
}
