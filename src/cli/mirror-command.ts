import { Command } from "commander";
import { SIZE_FORMS } from "./parse-size.js";
import { defaultHubRoot } from "./serve.js";

export interface MirrorFlags {
  root: string;
  json: boolean;
  maxSize?: string;
  dryRun: boolean;
}

/** `hubferry mirror ls|prune`: what a `serve --mirror` store holds, and pruning it to a size. */
export function mirrorCommand(): Command {
  const mirror = new Command("mirror").description(
    "the store of a `serve --mirror` hub: the repos it mirrors, their pinned refs and stored bytes; prune it to a size",
  );
  mirror.addCommand(
    new Command("ls")
      .description(
        "mirrored repos: upstream, refs pinned to commits, bytes stored, files not fetched yet, last use",
      )
      .option("--root <dir>", "the hub's folder (as given to serve --root)", defaultHubRoot())
      .option("--json", "print JSON", false)
      .action(async (flags: MirrorFlags) => (await import("./mirror-action.js")).mirrorLs(flags)),
  );
  mirror.addCommand(
    new Command("prune")
      .description(
        "remove mirrored files' bytes, least recently used first, until they fit in --max-size (they are fetched again when asked for; local repos are never touched)",
      )
      .requiredOption("--max-size <size>", `the most mirrored files may take: ${SIZE_FORMS}`)
      .option("--root <dir>", "the hub's folder (as given to serve --root)", defaultHubRoot())
      .option("--dry-run", "say what would be removed", false)
      .option("--json", "print JSON", false)
      .action(async (flags: MirrorFlags) => (await import("./mirror-action.js")).mirrorPrune(flags)),
  );
  return mirror;
}
