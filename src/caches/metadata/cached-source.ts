import type { RepoDetails } from "../../hubs/hub.js";
import type { SourceFile, TransferSource } from "../../transfer/types.js";
import { type CacheUse, noteHit } from "./cache-use.js";
import { FilesSchema } from "./cached-schemas.js";
import type { EntryStore } from "./entry-store.js";
import { shortHash } from "./metadata-dir.js";

/** Reads this small are kept (a safetensors or GGUF header, a file's first bytes). */
export const MAX_CACHED_READ = 1024 * 1024;

interface CachedSourceParts {
  info: RepoDetails;
  label: string;
  /** The commit's folder in the store. */
  folder: string;
  store: EntryStore;
  use: CacheUse;
  cacheReads: boolean;
  /** The hub's own source at the commit (no request), used only when the cache cannot answer. */
  open: () => TransferSource;
  /** Called before the hub is asked (throws when offline). */
  ask: (what: string) => void;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of body) parts.push(p);
  return Buffer.concat(parts);
}

/**
 * A repo pinned to one commit whose listing (and, for info and tree, small reads) come from the
 * cache when it has them; the hub is asked, once, only for what it lacks.
 */
export function cachedSource(parts: CachedSourceParts): TransferSource & { info: RepoDetails } {
  const { store, use, folder } = parts;
  let inner: TransferSource | undefined;
  const hub = (what: string) => {
    parts.ask(what);
    inner ??= parts.open();
    return inner;
  };
  let listing: Promise<SourceFile[]> | undefined;
  const list = async (): Promise<SourceFile[]> => {
    const kept = await store.get(`${folder}/list.json`, FilesSchema);
    if (kept) {
      noteHit(use);
      return kept.value as SourceFile[];
    }
    use.misses++;
    const files = await hub("the listing").list();
    await store.put(`${folder}/list.json`, files);
    return files;
  };
  return {
    info: parts.info,
    label: parts.label,
    revision: parts.info.sha,
    parallelRanges: true,
    list: () => {
      listing ??= list();
      listing.catch(() => {
        listing = undefined;
      });
      return listing;
    },
    read: async (path, start, end, signal, hints) => {
      const small = parts.cacheReads && end - start + 1 <= MAX_CACHED_READ;
      const key = `${folder}/reads/${shortHash(`${path}\n${start}-${end}`)}.bin`;
      if (small) {
        const kept = await store.getBytes(key);
        if (kept && kept.length === end - start + 1) {
          noteHit(use);
          return once(kept);
        }
      }
      const body = await hub(path).read(path, start, end, signal, hints);
      if (!small) return body;
      use.misses++;
      const bytes = await collect(body);
      if (bytes.length === end - start + 1) await store.putBytes(key, bytes);
      return once(bytes);
    },
  };
}
