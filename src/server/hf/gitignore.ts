import ignore from "ignore";
import type { RequestContext } from "../http/context.js";
import type { Commit } from "../store/repo-store.js";

/** Bounded: a .gitignore larger than this is not read (nothing is ignored), as a guard. */
const MAX_GITIGNORE = 1024 * 1024;

/**
 * The repo's root `.gitignore` at `commit` (or the content a client sends in `gitIgnore`), as a
 * predicate: preupload reports `shouldIgnore` with it and clients then skip those files.
 */
export async function gitIgnoredAt(
  ctx: RequestContext,
  commit: Commit,
  override?: string,
): Promise<(path: string) => boolean> {
  let text = override;
  const entry = commit.files[".gitignore"];
  if (text === undefined && entry && entry.size <= MAX_GITIGNORE) {
    text = (await ctx.hub.blobs.readAll(entry.sha256)).toString("utf8");
  }
  if (!text) return () => false;
  const ig = ignore().add(text);
  return (path) => {
    try {
      return ig.ignores(path);
    } catch {
      return false; // a path `ignore` cannot judge (e.g. absolute) is not ignored
    }
  };
}
