// What `info` does; loaded only when it runs (the definition, for --help, is info-command.ts).
import { cacheJson } from "../caches/metadata/cache-use.js";
import { formatRef } from "../core/repo-ref.js";
import { buildRepoReport } from "../toolbox/repo-report.js";
import { reportError } from "./fail.js";
import type { InfoFlags } from "./info-command.js";
import { renderRepoReport } from "./render/repo-report-view.js";
import { cachedToolboxHub, repoKind, settleCache, toolboxRef, useLocation } from "./toolbox-common.js";

export async function infoAction(kind: string, id: string, flags: InfoFlags): Promise<void> {
  try {
    const ref = toolboxRef(repoKind(kind), id, flags.hub);
    useLocation(ref, id, flags, false);
    const { hub, use } = await cachedToolboxHub(ref.hub, flags, { reads: true });
    const source = await hub.source(ref, flags.revision);
    const report = await buildRepoReport(source.info, source);
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ repo: formatRef(ref), ...report, cache: cacheJson(use) })}\n`
        : renderRepoReport(formatRef(ref), report),
    );
    await settleCache(use, flags.json);
  } catch (err) {
    throw reportError(err, flags.json);
  }
}
