import { loadSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { type HubName, includeFromPath, parseRepoRef, type RepoRef, revisionOf } from "../core/repo-ref.js";
import type { RepoType } from "../core/repo-type.js";
import type { Hub } from "../hubs/hub.js";
import { httpEventsFor, hubFor } from "../migrate/hubs-from-settings.js";
import type { EventSink } from "../transfer/events.js";

/** `model|dataset|space` (or their plurals) as a repo type, refusing anything else by name. */
export function repoKind(word: string, plural = false): RepoType {
  const w = word.toLowerCase().replace(/s$/, "");
  if (w === "model" || w === "dataset" || w === "space") return w;
  throw new HubferryError(
    "BAD_INPUT",
    `"${word}" is not a repo kind`,
    plural ? "use models, datasets or spaces" : "use model, dataset or space",
  );
}

/** A toolbox id: `owner/name`, `hf:`/`ms:` prefixed, or a URL; the kind comes from the command. */
export function toolboxRef(kind: RepoType | undefined, id: string, hubFlag?: string): RepoRef {
  const ref = parseRepoRef(id, { defaultHub: (hubFlag as HubName | undefined) ?? "hf", type: kind });
  if (hubFlag && ref.hub !== hubFlag)
    throw new HubferryError(
      "BAD_INPUT",
      `"${id}" is on ${ref.hub} but --hub says ${hubFlag}`,
      "drop --hub or the prefix, or make them agree",
    );
  return ref;
}

export function toolboxHub(name: HubName, events?: EventSink): Hub {
  return hubFor(name, loadSettings(), events ? httpEventsFor(events) : undefined);
}

/**
 * Uses what a repo URL says past the id: its revision as --revision; its file or folder as the one
 * --include where the command filters (`filters`), refused where it does not. Never dropped.
 */
export function useLocation(
  ref: RepoRef,
  id: string,
  flags: { revision?: string; include?: string[] },
  filters: boolean,
): void {
  flags.revision = revisionOf(ref, flags.revision);
  if (!ref.path) return;
  if (!filters || (flags.include?.length ?? 0) > 0)
    throw new HubferryError(
      "BAD_INPUT",
      `"${id}" names ${ref.path.value}${filters ? " and --include is given too" : ", but this command takes a whole repo"}`,
      filters
        ? "use the repo URL with --include, or the file/folder URL alone"
        : "give the repo URL (with /tree/<revision> at most)",
    );
  flags.include = [includeFromPath(ref)!];
}
