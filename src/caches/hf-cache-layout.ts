import { homedir } from "node:os";
import { join } from "node:path";
import type { RepoType } from "../core/repo-type.js";

/**
 * The Hugging Face cache, laid out exactly as huggingface_hub lays it out (file_download.py):
 *   <cache>/<type>s--<owner>--<name>/blobs/<etag>            the bytes, once per content
 *   <cache>/<type>s--<owner>--<name>/snapshots/<commit>/<path> relative symlinks to blobs
 *   <cache>/<type>s--<owner>--<name>/refs/<revision>         the commit a branch or tag points at
 * The etag is the sha256 of an LFS file and the git blob id of a regular file.
 */
export function hfHubCache(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  const home = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface");
  return join(home, "hub");
}

export function hfRepoFolderName(type: RepoType, id: string): string {
  return [`${type}s`, ...id.split("/")].join("--");
}

/** `models--owner--name` → its type and id, for listing a cache. */
export function parseHfRepoFolderName(name: string): { type: RepoType; id: string } | undefined {
  const m = /^(model|dataset|space)s--([^/]+?)--([^/]+)$/.exec(name);
  if (!m) return undefined;
  return { type: m[1] as RepoType, id: `${m[2]}/${m[3]}` };
}

export const isCommitHash = (rev: string) => /^[0-9a-f]{40}$/.test(rev);

/** The name a file's bytes are kept under: the sha256 for LFS files, the git blob id otherwise. */
export function hfEtag(file: { sha256?: string; gitOid?: string }): string {
  const etag = file.gitOid ?? file.sha256;
  if (!etag) throw new Error("a file without a published hash cannot be cached");
  return etag;
}
