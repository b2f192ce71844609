import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RepoRef } from "../../core/repo-ref.js";
import { refsFolder, repoFolder } from "./entry-paths.js";
import { endpointFolder } from "./metadata-dir.js";

/**
 * After hubferry wrote to a repo: which commit its branches are at, and every search on that
 * endpoint, are forgotten for every token (another token's view of that repo changed too). What is
 * pinned to a commit stays true and stays. Never throws: a cache must not fail a write.
 */
export async function forgetRepo(root: string, hub: string, endpoint: string, ref: RepoRef): Promise<void> {
  const base = join(root, endpointFolder(endpoint));
  const identities = await readdir(base).catch(() => [] as string[]);
  await Promise.all(
    identities.flatMap((id) =>
      [refsFolder(repoFolder(hub, ref)), "search"].map((rel) =>
        rm(join(base, id, rel), { recursive: true, force: true }).catch(() => undefined),
      ),
    ),
  );
}
