import type { CacheUse } from "../caches/metadata/cache-use.js";
import { loadSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { type HubName, includeFromPath, parseRepoRef, type RepoRef, revisionOf } from "../core/repo-ref.js";
import type { RepoType } from "../core/repo-type.js";
import type { Hub } from "../hubs/hub.js";
import { httpEventsFor, hubFor } from "../migrate/hubs-from-settings.js";
import type { EventSink } from "../transfer/events.js";

/** `model|dataset|space` (or their plurals) as a repo type, refusing anything else by name. */
export function repoKind(word: string, plural = false): RepoType {
  const w = word.toLowerCase().replace(/s$/, "");
  if (w === "model" || w === "dataset" || w === "space") return w;
  throw new HubferryError(
    "BAD_INPUT",
    `"${word}" is not a repo kind`,
    plural ? "use models, datasets or spaces" : "use model, dataset or space",
  );
}

/** A toolbox id: `owner/name`, `hf:`/`ms:` prefixed, or a URL; the kind comes from the command. */
export function toolboxRef(kind: RepoType | undefined, id: string, hubFlag?: string): RepoRef {
  const ref = parseRepoRef(id, { defaultHub: (hubFlag as HubName | undefined) ?? "hf", type: kind });
  if (hubFlag && ref.hub !== hubFlag)
    throw new HubferryError(
      "BAD_INPUT",
      `"${id}" is on ${ref.hub} but --hub says ${hubFlag}`,
      "drop --hub or the prefix, or make them agree",
    );
  return ref;
}

export function toolboxHub(name: HubName, events?: EventSink): Hub {
  return hubFor(name, loadSettings(), events ? httpEventsFor(events) : undefined);
}

/**
 * Uses what a repo URL says past the id: its revision as --revision; its file or folder as the one
 * --include where the command filters (`filters`), refused where it does not. Never dropped.
 */
export function useLocation(
  ref: RepoRef,
  id: string,
  flags: { revision?: string; include?: string[] },
  filters: boolean,
): void {
  flags.revision = revisionOf(ref, flags.revision);
  if (!ref.path) return;
  if (!filters || (flags.include?.length ?? 0) > 0)
    throw new HubferryError(
      "BAD_INPUT",
      `"${id}" names ${ref.path.value}${filters ? " and --include is given too" : ", but this command takes a whole repo"}`,
      filters
        ? "use the repo URL with --include, or the file/folder URL alone"
        : "give the repo URL (with /tree/<revision> at most)",
    );
  flags.include = [includeFromPath(ref)!];
}

export interface CacheFlags {
  maxAge?: string;
  offline?: boolean;
}

/**
 * The hub behind a read-only command, with the metadata cache in front: `--max-age` (or the
 * defaults) says how old an answer may be, `--offline` / `HF_HUB_OFFLINE=1` that the hub is never
 * asked. `reads`: keep small ranged reads too (info and tree read weight headers).
 */
export async function cachedToolboxHub(
  name: HubName,
  flags: CacheFlags,
  opts: { reads?: boolean; events?: EventSink; defaultMaxAgeMs?: number } = {},
): Promise<{ hub: Hub; use: CacheUse; offline: boolean }> {
  const [
    { CachedHub },
    { EntryStore },
    { metadataDir, metadataRoot },
    { newCacheUse },
    { hfOffline },
    maxAge,
  ] = await Promise.all([
    import("../caches/metadata/cached-hub.js"),
    import("../caches/metadata/entry-store.js"),
    import("../caches/metadata/metadata-dir.js"),
    import("../caches/metadata/cache-use.js"),
    import("../pull/offline.js"),
    import("./max-age.js"),
  ]);
  const settings = loadSettings();
  const inner = hubFor(name, settings, opts.events ? httpEventsFor(opts.events) : undefined);
  const given = maxAge.parseMaxAge(flags.maxAge);
  const offline = flags.offline === true || (name === "hf" && hfOffline());
  const use = newCacheUse();
  const store = new EntryStore(
    metadataDir(metadataRoot(), inner.endpoint, name === "hf" ? settings.hfToken : settings.msToken),
  );
  const hub = new CachedHub(
    inner,
    store,
    {
      maxAgeMs: given ?? opts.defaultMaxAgeMs ?? maxAge.DEFAULT_MAX_AGE_MS,
      searchMaxAgeMs: given ?? maxAge.DEFAULT_SEARCH_MAX_AGE_MS,
      offline,
      cacheReads: opts.reads === true,
    },
    use,
  );
  return { hub, use, offline };
}

/**
 * After a cached command: says on stderr how old a cached answer is (unless `--json`, which carries
 * it), and keeps the cache within its bound when this command added to it.
 */
export async function settleCache(use: CacheUse, json: boolean): Promise<void> {
  const [{ cacheNote }, { metadataRoot }, { DEFAULT_METADATA_MAX_BYTES, pruneMetadata }, { parseSize }] =
    await Promise.all([
      import("../caches/metadata/cache-use.js"),
      import("../caches/metadata/metadata-dir.js"),
      import("../caches/metadata/metadata-usage.js"),
      import("./parse-size.js"),
    ]);
  const note = cacheNote(use);
  if (note && !json) process.stderr.write(`note: ${note}\n`);
  if (use.misses === 0) return;
  const max = process.env.HUBFERRY_METADATA_MAX
    ? parseSize("HUBFERRY_METADATA_MAX", process.env.HUBFERRY_METADATA_MAX)
    : DEFAULT_METADATA_MAX_BYTES;
  await pruneMetadata(metadataRoot(), max);
}
