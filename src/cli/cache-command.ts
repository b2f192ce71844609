import { Command, Option } from "commander";
import { SIZE_FORMS } from "./parse-size.js";

export interface CacheFlags {
  hub?: "hf" | "ms";
  cacheDir?: string;
  /** The metadata cache (repo info, listings, searches) instead of the file caches. */
  metadata: boolean;
  json: boolean;
}

const common = (cmd: Command) =>
  cmd
    .addOption(new Option("--hub <hub>", "only this hub's cache").choices(["hf", "ms"]))
    .option("--cache-dir <dir>", "a cache folder other than the default (with --hub)")
    .option(
      "--metadata",
      "the metadata cache (repo info, listings, searches) instead of the file caches",
      false,
    )
    .option("--json", "print JSON", false);

export function cacheCommand(): Command {
  const cache = new Command("cache").description(
    "the Hugging Face and ModelScope caches, and with --metadata hubferry's metadata cache: list, prune to a size (least recently used first), clear",
  );
  cache.addCommand(
    common(new Command("ls").description("cached repos with size, files, last access and refs")).action(
      async (flags: CacheFlags) =>
        flags.metadata
          ? (await import("./cache-metadata-action.js")).metadataLs(flags.json)
          : (await import("./cache-action.js")).cacheLs(flags),
    ),
  );
  cache.addCommand(
    common(
      new Command("prune").description("remove least recently used repos until the caches fit in --max-size"),
    )
      .requiredOption("--max-size <size>", `the most the caches may hold: ${SIZE_FORMS}`)
      .option("--dry-run", "say what would be removed", false)
      .action(async (flags: CacheFlags & { maxSize: string; dryRun: boolean }) =>
        flags.metadata
          ? (await import("./cache-metadata-action.js")).metadataPrune(flags)
          : (await import("./cache-action.js")).cachePrune(flags),
      ),
  );
  cache.addCommand(
    common(new Command("clear").description("remove one cached repo, or every one"))
      .argument(
        "[id]",
        "a repo (hf:owner/name, ms:owner/name, hf:datasets/owner/name); without it: everything",
      )
      .option("-y, --yes", "do not ask before clearing everything", false)
      .action(async (id: string | undefined, flags: CacheFlags & { yes: boolean }) =>
        flags.metadata
          ? (await import("./cache-metadata-action.js")).metadataClear(id, flags.json)
          : (await import("./cache-action.js")).cacheClear(id, flags),
      ),
  );
  return cache;
}
