import { HubferryError } from "../core/errors.js";
import { includeFromPath, type RepoRef, revisionOf } from "../core/repo-ref.js";

/**
 * A source URL's revision and path are used, never dropped: the revision as --revision, the file or
 * folder as the one --include (refused beside other --include globs, whose meaning would be unclear).
 */
export function useUrlLocation(source: RepoRef, flags: { revision?: string; include: string[] }): void {
  flags.revision = revisionOf(source, flags.revision);
  const include = includeFromPath(source);
  if (!include) return;
  if (flags.include.length > 0)
    throw new HubferryError(
      "BAD_INPUT",
      `the source URL names ${source.path!.value} and --include is given too`,
      "use the repo URL with --include, or the file/folder URL alone",
    );
  flags.include = [include];
}
