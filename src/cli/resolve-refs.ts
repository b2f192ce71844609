// Source and destination of one migrate/sync, from what was typed; apart from the command's
// definition so that `--help` loads none of the hub code it needs.
import type { HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, type HubName, parseRepoRef, type RepoRef, wholeRepo } from "../core/repo-ref.js";
import { isRepoType, type RepoType } from "../core/repo-type.js";
import { destinationElsewhere } from "../migrate/hubs-from-settings.js";
import type { MigrateFlags } from "./migrate-command.js";

export const other = (h: HubName): HubName => (h === "hf" ? "ms" : "hf");

/** Works out source and destination from what was typed, with the rules of seed 001. */
export function resolveRefs(
  sourceArg: string,
  destArg: string | undefined,
  flags: Pick<MigrateFlags, "to" | "dest" | "repoType">,
  settings?: HubSettings,
): { source: RepoRef; destination: RepoRef } {
  if (flags.to && flags.to !== "hf" && flags.to !== "ms")
    throw new HubferryError("BAD_INPUT", `--to must be hf or ms, not "${flags.to}"`);
  if (flags.repoType && !isRepoType(flags.repoType))
    throw new HubferryError(
      "BAD_INPUT",
      `--repo-type must be model, dataset or space, not "${flags.repoType}"`,
    );
  const type = flags.repoType as RepoType | undefined;
  const to = flags.to as HubName | undefined;
  const source = parseRepoRef(sourceArg, { defaultHub: to ? other(to) : undefined, type });
  if (to && source.hub === to)
    throw new HubferryError(
      "BAD_INPUT",
      `the source is already on ${to}; --to names the other hub`,
      `drop --to or use --to ${other(to)}`,
    );
  const destText = flags.dest ?? destArg;
  const destination = destText
    ? wholeRepo(
        parseRepoRef(destText, { defaultHub: other(source.hub), type: source.typeKnown ? undefined : type }),
        destText,
        "the destination",
      )
    : { hub: other(source.hub), type: source.type, id: source.id, typeKnown: source.typeKnown };
  // Same hub is fine (another name, another owner, another endpoint); the very same repo is not.
  if (
    destination.hub === source.hub &&
    !destinationElsewhere(destination.hub, settings) &&
    destination.id.toLowerCase() === source.id.toLowerCase() &&
    destination.type === source.type
  )
    throw new HubferryError(
      "BAD_INPUT",
      `source and destination are the same repo (${formatRef(source)})`,
      "name another destination: another name or owner on the same hub, or the other hub",
    );
  if (!destText) destination.typeKnown = source.typeKnown;
  return { source, destination };
}
