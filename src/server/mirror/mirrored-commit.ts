import { createHash } from "node:crypto";
import type { RepoType } from "../../core/repo-type.js";
import type { BlobStore } from "../store/blob-store.js";
import { lfsEntry, storeRegular } from "../store/file-entry.js";
import type { FileMap } from "../store/file-tree.js";
import { gitBlobOid } from "../store/git-objects.js";
import type { Commit } from "../store/repo-store.js";
import { readWhole } from "./read-whole.js";
import type { Upstream, UpstreamFile, UpstreamRepo } from "./upstream.js";

/** More files than this in one commit is refused: the store keeps each commit's file map whole. */
export const MAX_MIRRORED_FILES = 250_000;
/** Regular (in-git) files are fetched with the listing; larger ones wait to be asked for. */
const MAX_REGULAR_FILE = 64 * 1024 * 1024;
const FETCH_CONCURRENCY = 8;
/** Files with a known sha256 up to this size are fetched with the listing even outside LFS. */
const EAGER_MAX = 1024 * 1024;

/** Upstream sent bytes that do not match its own listing. */
export class UpstreamCorrupt extends Error {}

/**
 * The commit `repo.sha` of an upstream repo, as the store keeps commits: its id is upstream's, its
 * small in-git files are fetched now and kept only if their git blob id (or sha256) matches the
 * listing, and LFS files are entries whose bytes come on the first download.
 */
export async function mirroredCommit(
  upstream: Upstream,
  blobs: BlobStore,
  type: RepoType,
  repo: UpstreamRepo,
  opts: { id: string; listed?: UpstreamFile[] },
): Promise<Commit> {
  const listed = opts.listed ?? (await listFiles(upstream, type, repo));
  const files: FileMap = {};
  const eager = listed.filter((f) => !fetchedOnDemand(f));
  for (const f of listed)
    if (fetchedOnDemand(f)) files[f.path] = lfsEntry({ sha256: f.sha256!, size: f.size });
  let next = 0;
  const worker = async () => {
    while (next < eager.length) {
      const f = eager[next++]!;
      files[f.path] = await fetchRegular(upstream, blobs, type, repo, f);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, eager.length) }, worker));
  return {
    id: opts.id,
    parents: [],
    title: `Mirrored from ${upstream.endpoint}`,
    description: "",
    author: "hubferry-mirror",
    date: repo.lastModified ?? new Date().toISOString(),
    files,
  };
}

/** Upstream's listing of the repo at `repo.sha`, bounded. */
export async function listFiles(
  upstream: Upstream,
  type: RepoType,
  repo: UpstreamRepo,
): Promise<UpstreamFile[]> {
  const listed = await upstream.files(type, repo.id, repo);
  if (listed.length > MAX_MIRRORED_FILES)
    throw new UpstreamCorrupt(
      `${repo.id} has ${listed.length} files at ${repo.sha}; a mirror keeps at most ${MAX_MIRRORED_FILES} per commit`,
    );
  return listed;
}

/**
 * A commit id for a listing upstream names by a branch only (ModelScope may): the same files give
 * the same id, so a re-listing that changed nothing stores nothing new.
 */
export function listingCommitId(listed: UpstreamFile[]): string {
  const hash = createHash("sha1");
  for (const f of [...listed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    hash.update(`${f.path}\0${f.size}\0${f.sha256 ?? ""}\0${f.gitOid ?? ""}\n`);
  return hash.digest("hex");
}

/**
 * Files whose bytes wait for their first download: LFS files, and large files whose sha256 the
 * listing gives (ModelScope lists every file's), which the store then keeps as LFS entries.
 */
function fetchedOnDemand(f: UpstreamFile): boolean {
  return !!f.sha256 && (f.lfs || f.size > EAGER_MAX);
}

async function fetchRegular(
  upstream: Upstream,
  blobs: BlobStore,
  type: RepoType,
  repo: UpstreamRepo,
  f: UpstreamFile,
): Promise<FileMap[string]> {
  if (f.size > MAX_REGULAR_FILE)
    throw new UpstreamCorrupt(
      `${repo.id}: ${f.path} is listed as a ${f.size}-byte file outside LFS; a mirror fetches at most ${MAX_REGULAR_FILE} bytes that way`,
    );
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const content =
        f.size === 0
          ? Buffer.alloc(0)
          : await readWhole(await upstream.read(type, repo.id, repo, f.path, 0, f.size - 1), f.size);
      if (!matchesListing(content, f)) {
        lastError = new UpstreamCorrupt(
          `${repo.id}: the bytes upstream sent for ${f.path} do not match its listing`,
        );
        continue;
      }
      const entry = await storeRegular(blobs, content);
      return f.lfs ? { ...entry, lfs: true, gitOid: lfsEntry(entry).gitOid } : entry;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

function matchesListing(content: Buffer, f: UpstreamFile): boolean {
  if (content.byteLength !== f.size) return false;
  if (f.sha256) return createHash("sha256").update(content).digest("hex") === f.sha256;
  if (f.gitOid) return gitBlobOid(content) === f.gitOid;
  return true;
}
