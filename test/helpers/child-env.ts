import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let parent: string | undefined;
let calls = 0;

/**
 * A cache folder of its own for each child (HUBFERRY_CACHE: hash pairs, the metadata cache), so no
 * run sees what an earlier test, or an earlier `npm test`, cached; a test about caching passes its
 * own. All are removed when the test process exits.
 */
function freshCache(): string {
  if (!parent) {
    const dir = mkdtempSync(join(tmpdir(), "hubferry-test-caches-"));
    parent = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  const dir = join(parent, String(++calls));
  mkdirSync(dir);
  return dir;
}

/**
 * The environment every child process of a test starts from: a PATH, a UTF-8 locale, a fresh
 * hubferry cache and nothing else of the parent's (no tokens or endpoints leak in), except
 * NODE_V8_COVERAGE so that `npm test`'s coverage also counts the code the real CLI and local hubs
 * run in their own processes.
 */
export function childEnvBase(): Record<string, string> {
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HUBFERRY_CACHE: freshCache(),
  };
  if (process.env.NODE_V8_COVERAGE) base.NODE_V8_COVERAGE = process.env.NODE_V8_COVERAGE;
  return base;
}
