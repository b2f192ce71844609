import { z } from "zod";
import { parseAs } from "../../core/http/parse.js";
import type { RepoRef } from "../../core/repo-ref.js";
import type { CopySource } from "../hub.js";
import type { HfHub } from "./hf-hub.js";

/** The batch huggingface_hub sends to `lfs-files/duplicate` (DUPLICATE_LFS_BATCH_SIZE). */
const BATCH = 500;

const DuplicateLfsSchema = z.object({
  failed: z.array(z.object({ sha256: z.string(), error: z.string() })).optional(),
});

/**
 * Makes LFS objects of another repo on the same hub this repo's own, by the hub's server-side copy
 * (`POST /api/{type}s/{source}/lfs-files/duplicate`, as huggingface_hub's cross-repo
 * CommitOperationCopy calls it): afterwards the LFS batch answers "already stored" for them and
 * the commit names them by oid, so no byte passes through here. Returns the oids the hub copied;
 * any the hub refuses (or a hub without the route) are simply uploaded as usual.
 */
export async function copyLfsObjects(
  hub: HfHub,
  from: CopySource,
  to: RepoRef,
  oids: string[],
  signal: AbortSignal,
): Promise<Set<string>> {
  const wanted = new Set(oids);
  const lfs = (await from.files()).filter((f) => f.lfs && f.sha256 && wanted.has(f.sha256));
  const unique = [...new Map(lfs.map((f) => [f.sha256!, f])).values()];
  const copied = new Set<string>();
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH);
    const body = JSON.stringify({
      target: { type: to.type, name: to.id },
      files: batch.map((f) => ({
        sha256: f.sha256,
        filename: f.path,
        ...(f.xetHash ? { xetHash: f.xetHash } : {}),
      })),
    });
    let failed: Set<string>;
    try {
      const res = await hub.http.request("POST", `${hub.apiRepo(from.ref)}/lfs-files/duplicate`, {
        headers: { "content-type": "application/json" },
        body: () => body,
        retry: true,
        signal,
      });
      const answer = parseAs(DuplicateLfsSchema, await res.json(), "POST lfs-files/duplicate");
      failed = new Set((answer.failed ?? []).map((f) => f.sha256));
    } catch (err) {
      if (signal.aborted) throw err;
      // Refused or not offered: these files are uploaded instead.
      return copied;
    }
    for (const f of batch) if (!failed.has(f.sha256!)) copied.add(f.sha256!);
  }
  return copied;
}
