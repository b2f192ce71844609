// What `search` does; loaded only when it runs (the definition, for --help, is search-command.ts).
import { cacheJson } from "../caches/metadata/cache-use.js";
import type { HubName } from "../core/repo-ref.js";
import type { SearchQuery } from "../hubs/hub.js";
import { reportError } from "./fail.js";
import { compactNumber, renderTable } from "./render/table.js";
import type { SearchFlags } from "./search-command.js";
import { cachedToolboxHub, repoKind, settleCache } from "./toolbox-common.js";
import { optionalWholeNumber } from "./whole-number.js";

export async function searchAction(
  kindArg: string,
  text: string | undefined,
  flags: SearchFlags,
): Promise<void> {
  try {
    const type = repoKind(kindArg, true);
    const { hub, use } = await cachedToolboxHub((flags.hub ?? "hf") as HubName, flags);
    const query: SearchQuery = {
      type,
      text,
      author: flags.author,
      task: flags.task,
      library: flags.library,
      language: flags.language,
      size: flags.size,
      sdk: flags.sdk,
      sort: flags.sort,
      limit: optionalWholeNumber("--limit", flags.limit, 1, 1000) ?? 20,
    };
    const hits = await hub.search(query);
    await settleCache(use, flags.json);
    if (flags.json) {
      const cache = cacheJson(use);
      process.stdout.write(`${JSON.stringify(hits.map((h) => ({ hub: hub.name, ...h, cache })))}\n`);
      return;
    }
    if (hits.length === 0) {
      process.stdout.write(`no ${type}s found on ${hub.name}${text ? ` for "${text}"` : ""}\n`);
      return;
    }
    process.stdout.write(
      renderTable(
        ["id", "downloads", "likes", "updated", type === "space" ? "" : "task"],
        hits.map((h) => [
          `${hub.name}:${type === "model" ? "" : `${type}s/`}${h.id}${h.private ? " (private)" : ""}`,
          compactNumber(h.downloads),
          compactNumber(h.likes),
          h.updated?.slice(0, 10) ?? "-",
          h.task ?? "",
        ]),
        [1, 2],
      ),
    );
  } catch (err) {
    throw reportError(err, flags.json);
  }
}
