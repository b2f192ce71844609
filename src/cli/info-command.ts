import { Command } from "commander";
import { cacheOptions } from "./cache-options.js";
import { hubOption } from "./hub-option.js";

export interface InfoFlags {
  hub?: string;
  revision?: string;
  json: boolean;
  maxAge?: string;
  offline: boolean;
}

export function infoCommand(): Command {
  const ages = cacheOptions("5m for a branch or tag");
  return new Command("info")
    .description(
      "what to check before pulling: files and sizes, formats, license, gating, card metadata, and tensor facts read from the weight headers by range (nothing is downloaded)",
    )
    .argument("<kind>", "model, dataset or space")
    .argument("<id>", "owner/name, hf:owner/name, ms:owner/name or a URL")
    .addOption(hubOption())
    .option("--revision <rev>", "branch, tag or commit (default: the default branch)")
    .addOption(ages[0]!)
    .addOption(ages[1]!)
    .option("--json", "print the report as JSON", false)
    .action(async (kind: string, id: string, flags: InfoFlags) =>
      (await import("./info-action.js")).infoAction(kind, id, flags),
    );
}
