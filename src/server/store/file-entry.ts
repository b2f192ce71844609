import type { BlobStore, StoredBlob } from "./blob-store.js";
import type { FileEntry } from "./file-tree.js";
import { gitBlobOid, lfsPointerOid } from "./git-objects.js";

/** A file held by LFS: its git object is the pointer, its bytes are the stored blob. */
export function lfsEntry(blob: StoredBlob): FileEntry {
  return {
    sha256: blob.sha256,
    size: blob.size,
    lfs: true,
    gitOid: lfsPointerOid(blob.sha256, blob.size).oid,
  };
}

/** Stores a regular (in-git) file's bytes and returns its entry. */
export async function storeRegular(blobs: BlobStore, content: Buffer): Promise<FileEntry> {
  const blob = await blobs.putBuffer(content);
  return { sha256: blob.sha256, size: blob.size, lfs: false, gitOid: gitBlobOid(content) };
}
