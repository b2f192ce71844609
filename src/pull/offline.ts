import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { filesUnder } from "../caches/files-under.js";
import { hfRepoFolderName, isCommitHash } from "../caches/hf-cache-layout.js";
import { HubferryError } from "../core/errors.js";
import { formatRef, type RepoRef } from "../core/repo-ref.js";

/** `HF_HUB_OFFLINE` as huggingface_hub reads it. */
export function hfOffline(env: NodeJS.ProcessEnv = process.env): boolean {
  return ["1", "ON", "YES", "TRUE"].includes((env.HF_HUB_OFFLINE ?? "").toUpperCase());
}

/**
 * Offline: the cached snapshot of a revision, as huggingface_hub resolves it (refs/<revision>, or
 * the commit itself), with the asked files checked and the missing ones named.
 */
export async function offlineHfSnapshot(
  cacheDir: string,
  ref: RepoRef,
  revision: string,
  wanted: string[] = [],
): Promise<{ path: string; commit: string; files: string[] }> {
  const repoDir = join(cacheDir, hfRepoFolderName(ref.type, ref.id));
  const commit = isCommitHash(revision)
    ? revision
    : (await readFile(join(repoDir, "refs", revision), "utf8").catch(() => undefined))?.trim();
  const path = commit ? join(repoDir, "snapshots", commit) : undefined;
  if (!commit || !path || !(await stat(path).catch(() => undefined))?.isDirectory())
    throw new HubferryError(
      "FILE_NOT_FOUND",
      `offline, and ${formatRef(ref)} at "${revision}" is not in the cache (${cacheDir})`,
      "unset HF_HUB_OFFLINE (or drop --offline) to download it, or pull it on a connected machine first",
    );
  const files = await filesUnder(path);
  const have = new Set(files);
  const missing = wanted.filter((w) => !have.has(w));
  if (missing.length)
    throw new HubferryError(
      "FILE_NOT_FOUND",
      `offline, and the cached snapshot ${commit.slice(0, 12)} of ${formatRef(ref)} lacks: ${missing.join(", ")}`,
      "unset HF_HUB_OFFLINE (or drop --offline) to download them",
    );
  return { path, commit, files };
}
