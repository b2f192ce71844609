import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/** The metadata cache's default bound; `HUBFERRY_METADATA_MAX` or `cache prune --metadata` change it. */
export const DEFAULT_METADATA_MAX_BYTES = 256 * 1024 * 1024;

export interface MetadataFile {
  path: string;
  bytes: number;
  mtimeMs: number;
}

export interface EndpointUsage {
  /** The endpoint's folder name (`host-hash`). */
  endpoint: string;
  entries: number;
  bytes: number;
  newest?: number;
}

async function walk(dir: string, out: MetadataFile[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile()) {
      const s = await stat(full).catch(() => undefined);
      if (s) out.push({ path: full, bytes: s.size, mtimeMs: s.mtimeMs });
    }
  }
}

export async function metadataFiles(root: string): Promise<MetadataFile[]> {
  const out: MetadataFile[] = [];
  await walk(root, out);
  return out;
}

/** What `cache ls --metadata` shows: per endpoint, how many entries and bytes, the newest write. */
export async function metadataUsage(root: string): Promise<EndpointUsage[]> {
  const endpoints = (await readdir(root, { withFileTypes: true }).catch(() => [])).filter((e) =>
    e.isDirectory(),
  );
  const out: EndpointUsage[] = [];
  for (const e of endpoints) {
    const files = await metadataFiles(join(root, e.name));
    out.push({
      endpoint: e.name,
      entries: files.length,
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      newest: files.length ? Math.max(...files.map((f) => f.mtimeMs)) : undefined,
    });
  }
  return out.sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

/**
 * Removes the oldest entries until the cache holds at most `maxBytes`, and temp files a killed
 * write left behind. Whole files only; a half-removed commit folder is just entries to fetch again.
 */
export async function pruneMetadata(
  root: string,
  maxBytes: number,
  opts: { dryRun?: boolean; now?: number } = {},
): Promise<{ removed: number; bytesBefore: number; bytesAfter: number }> {
  const files = await metadataFiles(root);
  const bytesBefore = files.reduce((n, f) => n + f.bytes, 0);
  let total = bytesBefore;
  let removed = 0;
  const now = opts.now ?? Date.now();
  for (const f of files.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    const staleTemp = f.path.endsWith(".tmp") && now - f.mtimeMs > 3_600_000;
    if (total <= maxBytes && !staleTemp) continue;
    if (!opts.dryRun) await rm(f.path, { force: true }).catch(() => undefined);
    total -= f.bytes;
    removed++;
  }
  return { removed, bytesBefore, bytesAfter: total };
}
