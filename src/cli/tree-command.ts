import { Command } from "commander";
import { cacheOptions } from "./cache-options.js";
import { hubOption } from "./hub-option.js";

export interface TreeFlags {
  hub?: string;
  repoType?: string;
  revision?: string;
  json: boolean;
  maxAge?: string;
  offline: boolean;
}

export function treeCommand(): Command {
  const ages = cacheOptions("5m for a branch or tag");
  return new Command("tree")
    .description("without an id: the Hugging Face ecosystem map; with one: the repo's files as a tree")
    .argument("[id]", "a repo: owner/name, hf:datasets/owner/name, ms:owner/name or a URL")
    .addOption(hubOption())
    .option("--repo-type <type>", "model, dataset or space (default: model, or what the id says)")
    .option("--revision <rev>", "branch, tag or commit")
    .addOption(ages[0]!)
    .addOption(ages[1]!)
    .option("--json", "print the tree as JSON", false)
    .action(async (id: string | undefined, flags: TreeFlags) => {
      if (id) return (await import("./tree-action.js")).repoTree(id, flags);
      // The map is data and a renderer: two small modules, no hub, no settings, no network.
      const [{ ECOSYSTEM }, { renderTree }] = await Promise.all([
        import("../toolbox/ecosystem.js"),
        import("./render/tree-view.js"),
      ]);
      process.stdout.write(flags.json ? `${JSON.stringify(ECOSYSTEM)}\n` : renderTree(ECOSYSTEM));
    });
}
