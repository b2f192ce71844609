import { Command } from "commander";
import { formatRef } from "../core/repo-ref.js";
import { buildRepoReport } from "../toolbox/repo-report.js";
import { reportError } from "./fail.js";
import { renderRepoReport } from "./render/repo-report-view.js";
import { hubOption, repoKind, toolboxHub, toolboxRef, useLocation } from "./toolbox-common.js";

export function infoCommand(): Command {
  return new Command("info")
    .description(
      "what to check before pulling: files and sizes, formats, license, gating, card metadata, and tensor facts read from the weight headers by range (nothing is downloaded)",
    )
    .argument("<kind>", "model, dataset or space")
    .argument("<id>", "owner/name, hf:owner/name, ms:owner/name or a URL")
    .addOption(hubOption())
    .option("--revision <rev>", "branch, tag or commit (default: the default branch)")
    .option("--json", "print the report as JSON", false)
    .action(async (kind: string, id: string, flags: { hub?: string; revision?: string; json: boolean }) => {
      try {
        const ref = toolboxRef(repoKind(kind), id, flags.hub);
        useLocation(ref, id, flags, false);
        const hub = toolboxHub(ref.hub);
        const source = await hub.source(ref, flags.revision);
        const report = await buildRepoReport(source.info, source);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ repo: formatRef(ref), ...report })}\n`
            : renderRepoReport(formatRef(ref), report),
        );
      } catch (err) {
        throw reportError(err, flags.json);
      }
    });
}
