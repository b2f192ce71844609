// What `tree ID` does: list a repo's files and label each by safety. Loaded only when an id is
// given; the ecosystem map (no id) needs none of this.
import { cacheJson } from "../caches/metadata/cache-use.js";
import { formatRef } from "../core/repo-ref.js";
import { classifyFileSafety } from "../formats/file-safety.js";
import { applyContentVerdicts } from "../toolbox/content-verdict.js";
import { reportError } from "./fail.js";
import { formatBytes } from "./render/format.js";
import { safetyMark } from "./render/repo-report-view.js";
import { pathsToTree, renderTree } from "./render/tree-view.js";
import { cachedToolboxHub, repoKind, settleCache, toolboxRef, useLocation } from "./toolbox-common.js";
import type { TreeFlags } from "./tree-command.js";

export async function repoTree(id: string, flags: TreeFlags): Promise<void> {
  try {
    const ref = toolboxRef(flags.repoType ? repoKind(flags.repoType) : undefined, id, flags.hub);
    useLocation(ref, id, flags, false);
    const { hub, use } = await cachedToolboxHub(ref.hub, flags, { reads: true });
    const source = await hub.source(ref, flags.revision);
    const files = (await source.list()).map((f) => ({
      ...f,
      safety: classifyFileSafety(f.path),
    }));
    // One verdict, from the bytes: a pickle renamed .safetensors is labelled a pickle here too.
    const { unread } = await applyContentVerdicts(source, files);
    if (unread) process.stderr.write(`note: ${unread} file(s) labelled by name only (too many to read)\n`);
    const tree = pathsToTree(
      `${formatRef(ref)} @ ${source.revision.slice(0, 12)}`,
      files,
      (f) => f.path,
      (f) => [formatBytes(f.size), f.lfs ? "LFS" : "", safetyMark(f.safety)].filter(Boolean).join("  "),
    );
    process.stdout.write(
      flags.json ? `${JSON.stringify({ ...tree, cache: cacheJson(use) })}\n` : renderTree(tree),
    );
    await settleCache(use, flags.json);
  } catch (err) {
    throw reportError(err, flags.json);
  }
}
