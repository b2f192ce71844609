import { Option } from "commander";
import { loadSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { type HubName, parseRepoRef, type RepoRef } from "../core/repo-ref.js";
import type { RepoType } from "../core/repo-type.js";
import type { Hub } from "../hubs/hub.js";
import { httpEventsFor, hubFor } from "../migrate/hubs-from-settings.js";
import type { EventSink } from "../transfer/events.js";

export const hubOption = () =>
  new Option(
    "--hub <hub>",
    "hf (Hugging Face, the default) or ms (ModelScope); an ms: prefix says the same",
  ).choices(["hf", "ms"]);

/** `model|dataset|space` (or their plurals) as a repo type, refusing anything else by name. */
export function repoKind(word: string): RepoType {
  const w = word.toLowerCase().replace(/s$/, "");
  if (w === "model" || w === "dataset" || w === "space") return w;
  throw new HubferryError("BAD_INPUT", `"${word}" is not a repo kind`, "use model, dataset or space");
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
