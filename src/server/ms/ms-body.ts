import { type RequestContext, readBody } from "../http/context.js";
import { HttpError } from "../http/http-error.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The most JSON each ModelScope route reads into memory, from what the official SDKs send:
 * - `small`: login `{AccessToken}`, tag `{TagName, Ref}`, the legacy list `PUT {Path, PageNumber, PageSize}`.
 * - `create`: `POST /api/v1/{models,datasets}` (names, licence, description).
 * - `lfsBatch`: both SDKs ask about 64 objects a request (`UPLOAD_VALIDATE_BLOB_BATCH_SIZE`,
 *   `MODELSCOPE_UPLOAD_BLOB_VALIDATION_BATCH_MAX_OBJECTS`), ~100 bytes each.
 * - `commit`: inline files travel base64 in the commit. modelscope-hub inlines files up to 64 KiB
 *   (`UPLOAD_LFS_FORCE_THRESHOLD_BYTES`; metadata such as README.md/config.json always, each alone
 *   when large) and closes a batch at 8 MiB (`UPLOAD_COMMIT_MAX_INLINE_BYTES`). modelscope <= 1.37
 *   inlines files up to 1 MiB, at most 500 MiB per upload, in batches of clamp(n/80, 64, 256)
 *   files (n//10 up to 100 files): its largest batch is 64 files of 1 MiB, 85.4 MiB in base64.
 */
export const MS_BODY_LIMITS = {
  small: 64 * KiB,
  create: 1 * MiB,
  lfsBatch: 1 * MiB,
  commit: 96 * MiB,
} as const;

const HINTS: Record<keyof typeof MS_BODY_LIMITS, string> = {
  small: "send only the fields this endpoint documents",
  create: "shorten the description or other fields",
  lfsBatch: "ask about fewer objects per request (the SDKs send 64)",
  commit:
    "commit fewer inline files per request or upload big files as LFS blobs (modelscope-hub: lower MODELSCOPE_UPLOAD_COMMIT_MAX_INLINE_BYTES or MODELSCOPE_UPLOAD_LFS_FORCE_THRESHOLD; modelscope <= 1.37: set UPLOAD_ADAPTIVE_BATCH_SIZE=false and a smaller UPLOAD_COMMIT_BATCH_SIZE)",
};

/**
 * A JSON body within its route's limit (413 otherwise, checked while it streams). The legacy
 * SDK posts JSON without a Content-Type, so none is required; an empty body is `null`.
 */
export async function readMsJson(ctx: RequestContext, kind: keyof typeof MS_BODY_LIMITS): Promise<unknown> {
  const raw = (await readBody(ctx, MS_BODY_LIMITS[kind], HINTS[kind])).toString("utf8");
  try {
    return JSON.parse(raw || "null");
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
}
