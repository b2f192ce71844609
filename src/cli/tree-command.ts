import { Command } from "commander";
import { formatRef } from "../core/repo-ref.js";
import { classifyFileSafety } from "../formats/file-safety.js";
import { applyContentVerdicts } from "../toolbox/content-verdict.js";
import { ECOSYSTEM } from "../toolbox/ecosystem.js";
import { reportError } from "./fail.js";
import { formatBytes } from "./render/format.js";
import { safetyMark } from "./render/repo-report-view.js";
import { pathsToTree, renderTree } from "./render/tree-view.js";
import { hubOption, repoKind, toolboxHub, toolboxRef, useLocation } from "./toolbox-common.js";

export function treeCommand(): Command {
  return new Command("tree")
    .description("without an id: the Hugging Face ecosystem map; with one: the repo's files as a tree")
    .argument("[id]", "a repo: owner/name, hf:datasets/owner/name, ms:owner/name or a URL")
    .addOption(hubOption())
    .option("--repo-type <type>", "model, dataset or space (default: model, or what the id says)")
    .option("--revision <rev>", "branch, tag or commit")
    .option("--json", "print the tree as JSON", false)
    .action(
      async (
        id: string | undefined,
        flags: { hub?: string; repoType?: string; revision?: string; json: boolean },
      ) => {
        try {
          if (!id) {
            process.stdout.write(flags.json ? `${JSON.stringify(ECOSYSTEM)}\n` : renderTree(ECOSYSTEM));
            return;
          }
          const ref = toolboxRef(flags.repoType ? repoKind(flags.repoType) : undefined, id, flags.hub);
          useLocation(ref, id, flags, false);
          const source = await toolboxHub(ref.hub).source(ref, flags.revision);
          const files = (await source.list()).map((f) => ({
            ...f,
            safety: classifyFileSafety(f.path),
          }));
          // One verdict, from the bytes: a pickle renamed .safetensors is labelled a pickle here too.
          const { unread } = await applyContentVerdicts(source, files);
          if (unread)
            process.stderr.write(`note: ${unread} file(s) labelled by name only (too many to read)\n`);
          const tree = pathsToTree(
            `${formatRef(ref)} @ ${source.revision.slice(0, 12)}`,
            files,
            (f) => f.path,
            (f) => [formatBytes(f.size), f.lfs ? "LFS" : "", safetyMark(f.safety)].filter(Boolean).join("  "),
          );
          process.stdout.write(flags.json ? `${JSON.stringify(tree)}\n` : renderTree(tree));
        } catch (err) {
          throw reportError(err, flags.json);
        }
      },
    );
}
